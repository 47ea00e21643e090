import { hostileRequest } from './hostile-http.js';
import { createFuzzAgent, send } from './http-send.js';
import { checkEdgeReply } from './oracle.js';
import type { Random } from './random.js';

export interface EdgeFuzzRun {
  /** Up to 20 failures, each with the request that caused it. */
  failures: string[];
  /** Replies by status code. */
  statuses: Record<number, number>;
  sent: number;
  /** Large requests refused before their body was read whose answer arrived as a reset (allowed only with `resetOnEarlyReject`). */
  resets: number;
}

/**
 * Sends `count` hostile requests to an edge (6 at a time, keep-alive) and checks each reply with the
 * edge oracle. `address` lets the lab test aim at a device (the edge accepts the loopback Host names
 * the generator uses on any address); `onProgress` runs every `every` requests.
 */
export async function fuzzEdge(r: Random, target: { port: number; token: string; maxBytes: number; argumentDepth: number; address?: string; resetOnEarlyReject?: boolean }, count: number, onProgress?: (sent: number) => Promise<void>, every = 500): Promise<EdgeFuzzRun> {
  const agent = createFuzzAgent();
  const run: EdgeFuzzRun = { failures: [], statuses: {}, sent: 0, resets: 0 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const req = hostileRequest(r, target);
      const reply = await send(target.port, agent, { method: req.method, path: req.path, headers: req.headers, body: req.body.text }, 20_000, target.address);
      run.statuses[reply.status] = (run.statuses[reply.status] ?? 0) + 1;
      run.sent++;
      const problem = checkEdgeReply(req, reply, target.maxBytes, { resetOnEarlyReject: target.resetOnEarlyReject ?? false });
      if (reply.status === 0 && !problem) run.resets++;
      if (problem && run.failures.length < 20) run.failures.push(`#${index} ${req.method} ${req.path} [${req.body.family}] ${JSON.stringify(req.refused)}: ${problem}\n  body: ${String(req.body.text).slice(0, 200)}`);
      if (onProgress && run.sent % every === 0) await onProgress(run.sent);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  agent.destroy();
  return run;
}
