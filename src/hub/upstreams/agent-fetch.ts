import { Agent, request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** The part of `fetch` the SDK client transport and the health check use. */
export type AgentFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * `fetch` over one keep-alive `http.Agent` per upstream. Besides giving each upstream its own sockets, it
 * retries a request once when a reused keep-alive socket was reset before any response: the device
 * closed or lost that connection while it sat idle (a restart, a reboot), so the request never reached
 * it. This is the retry Node's documentation prescribes for `request.reusedSocket`; a request on a fresh
 * socket, or one that got any response, is never retried.
 */
export function createAgentFetch(): { fetch: AgentFetch; close(): void } {
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64 });
  const send = (input: string | URL, init: RequestInit, mayRetry: boolean): Promise<Response> =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const req = request(new URL(String(input)), { agent, method: init.method ?? 'GET', headers: headerObject(init.headers) });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      let responded = false;
      req.on('response', (res) => {
        responded = true;
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(toResponse(res));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason);
        if (!responded && mayRetry && req.reusedSocket && RESET_CODES.has(error.code ?? '')) return resolve(send(input, init, false));
        reject(Object.assign(new TypeError('fetch failed'), { cause: error }));
      });
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return {
    // https upstreams (a `kind: mcp` server behind TLS) use Node's own fetch and its connection pool.
    fetch: (input, init = {}) => (new URL(String(input)).protocol === 'https:' ? fetch(input, init) : send(input, init, true)),
    close: () => agent.destroy(),
  };
}

function headerObject(headers: RequestInit['headers']): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const status = res.statusCode ?? 502;
  const empty = status === 204 || status === 205 || status === 304;
  if (empty) res.resume();
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers });
}
