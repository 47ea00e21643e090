import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createEdgeLink } from '../../../src/hub/upstreams/edge-link.js';
import { leanCallTool, MAX_ANSWER_CHARS } from '../../../src/hub/upstreams/lean-call.js';

// A device that answers a tool call with an endless stream (broken, or compromised and trying to exhaust the
// hub's memory): the hub stops reading past MAX_ANSWER_CHARS and fails the call instead of buffering it all.
let written = 0;
let stopped = false;
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const line = `data: ${'x'.repeat(65_536)}`; // one SSE data line that never ends
  const pump = () => {
    let more = true;
    while (!stopped && more) {
      written += line.length;
      more = res.write(line);
    }
    if (!stopped) res.once('drain', pump);
  };
  res.on('close', () => (stopped = true));
  pump();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const link = createEdgeLink({ url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`) });
afterAll(async () => {
  link.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('lean call path against an endless answer', () => {
  it('fails the call past the bound and closes the connection', async () => {
    const target = { headers: {}, protocolVersion: '2025-11-25', link };
    await expect(leanCallTool(target, { id: 'h1-1', tool: 'run_command', args: {}, timeoutMs: 60_000 })).rejects.toThrow(/answer passed 64 MiB: refused/);
    await expect.poll(() => stopped, { timeout: 5000 }).toBe(true);
    expect(written).toBeGreaterThan(MAX_ANSWER_CHARS);
    expect(written).toBeLessThan(MAX_ANSWER_CHARS * 2);
  }, 60_000);
});
