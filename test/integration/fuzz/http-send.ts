import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Keep-alive connections shared by one fuzz run: thousands of requests without thousands of sockets. */
export function createFuzzAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 8 });
}

/**
 * One HTTP request with full control over headers (Host included). A reset or a timeout resolves as
 * status 0 with the reason in body: the caller decides whether that was allowed.
 */
export function send(
  port: number, agent: Agent | false, req: { method: string; path: string; headers: Record<string, string>; body?: string | Buffer }, timeoutMs = 10_000, address = '127.0.0.1',
): Promise<Reply> {
  return new Promise((resolve) => {
    const withBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
    const headers = { ...req.headers, ...(withBody ? { 'content-length': String(Buffer.byteLength(req.body!)) } : {}) };
    const outgoing = request({ host: address, port, method: req.method, path: req.path, headers, agent, setHost: false }, (res) => {
      // A GET that opened an SSE stream is answered: the stream itself stays open by design.
      if (req.method === 'GET' && String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => resolve({ status: 0, headers: {}, body: `response error: ${error.message}` }));
    });
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ status: 0, headers: {}, body: `request error: ${error.message}` }));
    outgoing.end(withBody ? req.body : undefined);
  });
}

/** Writes raw bytes on a fresh connection, half-closes, and returns whatever the server sent back. */
export function sendRaw(port: number, bytes: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => { clearTimeout(timer); done(); });
    socket.on('error', () => {});
    socket.on('connect', () => socket.end(Buffer.from(bytes, 'latin1')));
  });
}

/** The status codes in a raw HTTP reply (several when the server pipelined answers). */
export function rawStatuses(reply: string): number[] {
  return [...reply.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
}

/** Resident and peak memory of a process, in kB, from /proc/PID/status. */
export async function processMemory(pid: number): Promise<{ rssKb: number; hwmKb: number }> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}
