import type { HostileRequest } from './hostile-http.js';
import type { Reply } from './http-send.js';

// What a correct server answers to a hostile request, and whether an answer is well-formed. Returns a
// problem string (empty when the reply is fine) so a fuzz loop can collect every failure with its input.

/** Node's own limit on the request head (--max-http-header-size, 16 KiB): beyond it, 431 before our code runs. */
const HEADER_LIMIT = 16_384;

export function headerBytes(req: HostileRequest): number {
  return Object.entries(req.headers).reduce((n, [k, value]) => n + k.length + value.length + 4, req.path.length + 20);
}

/** The status an edge must answer, in the order of its checks (notes/mcp-http.md); undefined when the body decides. */
export function expectedEdgeStatus(req: HostileRequest, maxBytes: number): number | undefined {
  const path = req.path.split('?')[0];
  if (path === '/healthz') return req.method === 'GET' || req.method === 'HEAD' ? 200 : 405;
  if (path !== '/mcp') return 404;
  if (req.refused.host || req.refused.origin) return 403;
  if (req.refused.auth) return 401;
  if (req.method !== 'POST') return 405;
  if (req.refused.accept) return 406;
  if (req.refused.contentType) return 415;
  if (req.refused.version) return 400;
  if (Buffer.byteLength(req.body.text) > maxBytes) return 413;
  return undefined;
}

/**
 * Checks an edge reply against the expected status and the JSON-RPC shapes; '' when it is right.
 * `resetOnEarlyReject`: a request refused before its body is read (403, 401, 405, 406, 415, 400 version,
 * 413) whose body is still being written may meet EPIPE/ECONNRESET instead of its status when the body is
 * large (docs/security-testing.md, finding 6); allowed then, and counted by the caller.
 */
export function checkEdgeReply(req: HostileRequest, reply: Reply, maxBytes: number, options: { resetOnEarlyReject?: boolean } = {}): string {
  const size = headerBytes(req);
  if (reply.status === 431 && size > HEADER_LIMIT - 2048) return '';
  const early = expectedEdgeStatus(req, maxBytes);
  if (options.resetOnEarlyReject && reply.status === 0 && /EPIPE|ECONNRESET/.test(reply.body) && early !== undefined && Buffer.byteLength(req.body.text) >= 16_384) return '';
  if (reply.status === 0 || reply.status >= 500) return `status ${reply.status}: ${reply.body.slice(0, 300)}`;
  const expected = early;
  if (expected !== undefined && reply.status !== expected) return `expected ${expected}, got ${reply.status}: ${reply.body.slice(0, 300)}`;
  if (req.method === 'HEAD' || req.path.split('?')[0] !== '/mcp') return '';
  if (expected !== undefined) return checkJsonRpcError(reply.body);
  return checkBodyOutcome(reply);
}

/** A reply decided by the body: 202 empty, 400 a parse/invalid-request error, 200 one JSON-RPC response. */
function checkBodyOutcome(reply: Reply): string {
  if (reply.status === 202) return reply.body === '' ? '' : `202 with a body: ${reply.body.slice(0, 200)}`;
  if (reply.status === 400) {
    const problem = checkJsonRpcError(reply.body);
    if (problem) return problem;
    const code = (JSON.parse(reply.body) as { error: { code: number } }).error.code;
    return [-32700, -32600].includes(code) ? '' : `400 with JSON-RPC code ${code}`;
  }
  if (reply.status !== 200) return `unexpected status ${reply.status} for a well-framed request: ${reply.body.slice(0, 300)}`;
  const type = String(reply.headers['content-type'] ?? '');
  const messages = type.startsWith('text/event-stream') ? sseData(reply.body) : [reply.body];
  const last = messages.at(-1);
  if (last === undefined) return 'a 200 stream without any message';
  return checkResponse(last);
}

export function checkJsonRpcError(body: string): string {
  let value: { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    value = JSON.parse(body) as typeof value;
  } catch {
    return `error body is not JSON: ${body.slice(0, 200)}`;
  }
  if (value.jsonrpc !== '2.0' || typeof value.error?.code !== 'number' || typeof value.error.message !== 'string' || value.error.message === '') {
    return `not a JSON-RPC error: ${body.slice(0, 200)}`;
  }
  return '';
}

function checkResponse(text: string): string {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `response is not JSON: ${text.slice(0, 200)}`;
  }
  if (value.jsonrpc !== '2.0' || !('id' in value)) return `not a JSON-RPC response: ${text.slice(0, 200)}`;
  if ('error' in value) return checkJsonRpcError(text);
  const result = value.result as { content?: unknown; isError?: unknown } | undefined;
  if (typeof result !== 'object' || result === null) return `a response without result or error: ${text.slice(0, 200)}`;
  return '';
}

export function sseData(body: string): string[] {
  return body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}

/** Object.prototype untouched by `__proto__` / `constructor.prototype` payloads. */
export function prototypePollution(): string {
  const probe = {} as Record<string, unknown>;
  const leaked = ['polluted', 'isAdmin'].filter((k) => probe[k] !== undefined);
  return leaked.length > 0 ? `Object.prototype polluted: ${leaked.join(', ')}` : '';
}

/** Statuses the hub may answer to an authenticated, allowed request whose body or method is hostile. */
const HUB_BODY_STATUSES = [200, 202, 400, 404, 405, 406, 409, 413, 415];

/**
 * Checks a hub reply: Host/Origin (403) and the bearer token (401) come first on every MCP route; after
 * them Fastify and the SDK transport decide, but never with a 5xx, and error bodies are JSON.
 */
export function checkHubReply(req: HostileRequest, reply: Reply): string {
  if (reply.status === 431 && headerBytes(req) > HEADER_LIMIT - 2048) return '';
  // Fastify's 431 is raw bytes with a body even for HEAD, which the client then fails to parse (hub-fuzz 431 bug).
  if (req.method === 'HEAD' && headerBytes(req) > HEADER_LIMIT - 2048 && /Parse Error/.test(reply.body)) return '';
  if (reply.status === 0 || reply.status >= 500) return `status ${reply.status}: ${reply.body.slice(0, 300)}`;
  const path = req.path.split(/[?#]/)[0];
  if (path === '/healthz') return '';
  const guarded = path === '/mcp' || path === '/mcp/stateless' || ((path === '/' || path === '/metrics') && (req.method === 'GET' || req.method === 'HEAD'));
  // Unknown routes: 404 (or 413/415 first: Fastify checks the body's size and type before its 404;
  // `*` is routed like `/`, so 401/403); never an answer with data.
  if (!guarded) return [401, 403, 404, 413, 415].includes(reply.status) ? '' : `expected 404 for ${req.path}, got ${reply.status}`;
  const routed = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD'].includes(req.method);
  if (routed && (req.refused.host || req.refused.origin)) return reply.status === 403 ? '' : `expected 403, got ${reply.status}: ${reply.body.slice(0, 200)}`;
  // GET / may answer a browser with the status page's sign-in form (HTML, no data) instead of 401.
  const signIn = path === '/' && reply.status === 200 && String(reply.headers['content-type']).startsWith('text/html');
  if (routed && req.refused.auth && !signIn) return reply.status === 401 ? '' : `expected 401, got ${reply.status}: ${reply.body.slice(0, 200)}`;
  if (path !== '/mcp' && path !== '/mcp/stateless') return '';
  if (!HUB_BODY_STATUSES.includes(reply.status)) return `unexpected status ${reply.status}: ${reply.body.slice(0, 300)}`;
  if (reply.status >= 400 && req.method !== 'HEAD' && reply.body !== '') {
    try {
      const value = JSON.parse(reply.body) as { error?: unknown; statusCode?: unknown };
      if (value.error === undefined) return `a ${reply.status} without an error: ${reply.body.slice(0, 200)}`;
    } catch {
      return `a ${reply.status} whose body is not JSON: ${reply.body.slice(0, 200)}`;
    }
  }
  return '';
}
