import { Agent, request, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { PinnedAgent } from './pinned-agent.js';

/** The part of `fetch` the SDK client transport and the health check use. */
export type AgentFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * `fetch` over one keep-alive agent per upstream: `http.Agent`, or with a `pin` (hex SHA-256 of the edge's
 * TLS public key) a PinnedAgent that connects only to the holder of that key. Besides giving each upstream its own sockets, it
 * retries a request once when a reused keep-alive socket was reset before any response: the device
 * closed or lost that connection while it sat idle (a restart, a reboot), so the request never reached
 * it. This is the retry Node's documentation prescribes for `request.reusedSocket`; a request on a fresh
 * socket, or one that got any response, is never retried.
 */
export interface AgentFetchNet {
  fetch: AgentFetch;
  close(): void;
}

interface RawRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborting destroys the request and its response (reading it then errors with the signal's reason). */
  signal?: AbortSignal;
}

/** Where an URL points, as http.request takes it: parsed once per URL, not on every request. */
function targetCache() {
  const byHref = new Map<string, RequestOptions>();
  return (input: string | URL): RequestOptions => {
    const href = typeof input === 'string' ? input : input.href;
    let target = byHref.get(href);
    if (!target) {
      const url = new URL(href);
      target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: `${url.pathname}${url.search}` };
      // Credentials in the URL (`http://user:pass@host/mcp`) are sent as Basic auth, as http.request(url) does.
      if (url.username || url.password) target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      // An upstream uses one or two URLs; a bound keeps a caller with changing URLs from growing this.
      if (byHref.size >= 32) byHref.clear();
      byHref.set(href, target);
    }
    return target;
  };
}

export function createAgentFetch(pin?: string): AgentFetchNet {
  const options = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64 };
  const agent = pin ? new PinnedAgent(pin, options) : new Agent(options);
  const open = pin ? httpsRequest : request;
  const targetOf = targetCache();
  const send = (input: string | URL, init: RawRequestInit, mayRetry: boolean): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted) return reject(signal.reason);
      const req = open({ ...targetOf(input), agent, method: init.method ?? 'GET', headers: init.headers ?? {} });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      let responded = false;
      req.on('response', (res) => {
        responded = true;
        if (signal) res.once('close', () => signal.removeEventListener('abort', onAbort));
        resolve(res);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason);
        if (!responded && mayRetry && req.reusedSocket && RESET_CODES.has(error.code ?? '')) return resolve(send(input, init, false));
        reject(Object.assign(new TypeError('fetch failed'), { cause: error }));
      });
      req.end(init.body);
    });
  // An URL of the other scheme is refused rather than sent without the pin.
  const schemeProblem = (input: string | URL): Error | undefined => {
    const https = (typeof input === 'string' ? new URL(input) : input).protocol === 'https:';
    if (https === Boolean(pin)) return undefined;
    if (https) return new Error(`an https upstream without a pin is not served by this agent: ${String(input)}`);
    return new TypeError('fetch failed', { cause: new Error(`refusing plain HTTP to ${String(input)}: this edge's TLS key is pinned`) });
  };
  return {
    // An unpinned https upstream (a `kind: mcp` server behind a CA-signed certificate) uses Node's own
    // fetch and its connection pool.
    fetch: (input, init = {}) => {
      const https = new URL(String(input)).protocol === 'https:';
      if (https === Boolean(pin)) return send(input, { method: init.method, headers: headerObject(init.headers), body: typeof init.body === 'string' ? init.body : undefined, signal: init.signal ?? undefined }, true).then(toResponse);
      if (https) return fetch(input, init);
      return Promise.reject(schemeProblem(input));
    },
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
