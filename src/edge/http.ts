import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { EdgeConfig } from './config.js';
import type { Edge } from './edge.js';
import { answerClientError, LINGER_MS } from '../shared/http-client-error.js';
import { answerAfterBody, readBody, rejectTooLarge } from './http-body.js';
import { acceptsBoth, checkHostAndOrigin, isJsonContentType, tokenMatches } from './http-rules.js';
import {
  INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, SUPPORTED_PROTOCOL_VERSIONS, classifyMessage, errorResponse,
  type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse,
} from './json-rpc.js';

export interface EdgeHttpOptions {
  /** Host/Origin names accepted (see allowedHostnames). */
  allowedHosts: ReadonlySet<string>;
  version: string;
  /** PEM key and certificate: serve HTTPS (same routes, same port) instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

export interface EdgeHttpServer {
  server: Server;
  /** Stops accepting, aborts running calls (killing their process groups), lets their responses finish. */
  shutdown(graceMs?: number): Promise<void>;
}

const jsonRpcError = (status: number, message: string, code = -32000) => ({ status, body: JSON.stringify(errorResponse(null, code, message)) });

/**
 * Streamable HTTP, stateless, on node:http: POST /mcp only (GET/DELETE 405, no sessions), checks in the
 * order of notes/mcp-http.md. Each request is independent; the only shared state is the edge's in-flight map.
 */
export function createEdgeHttpServer(edge: Edge, config: EdgeConfig, options: EdgeHttpOptions): EdgeHttpServer {
  let closing = false;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, jsonRpcError(500, `internal error: ${error instanceof Error ? error.message : String(error)}`, INTERNAL_ERROR));
      else res.end();
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest);
  const lingering = new Set<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, { maxBytes: config.max_request_bytes, maxMs: LINGER_MS, lingering }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (closing) res.setHeader('connection', 'close');
    if (path === '/healthz') {
      return send(res, req.method === 'GET' || req.method === 'HEAD' ? { status: 200, body: JSON.stringify({ ok: true, version: options.version }) } : { status: 405, body: '{"ok":false}' }, { allow: 'GET' });
    }
    // A refusal comes before the body is read. A body no larger than a request may be is read and dropped
    // first: answering while the client still writes makes the close reset the socket, and the client sees a
    // reset instead of the refusal (the lab fuzz run found it). A larger announced body is not read: the
    // refusal goes at once with Connection: close, as Node then closes the connection rather than read the
    // rest, so a keep-alive client does not reuse a socket whose next request would meet a reset.
    const refuse = (reply: Parameters<typeof send>[1], headers?: Record<string, string>) => {
      const announced = Number(req.headers['content-length']);
      if (req.complete || (Number.isFinite(announced) && announced > config.max_request_bytes)) {
        if (!req.complete) res.setHeader('connection', 'close');
        return send(res, reply, headers);
      }
      answerAfterBody(req, res, config.max_request_bytes, () => send(res, reply, headers));
    };
    if (path !== '/mcp') return refuse({ status: 404, body: JSON.stringify({ error: 'not found: the MCP endpoint is POST /mcp' }) });
    if (closing) return refuse(jsonRpcError(503, 'the edge is shutting down'));
    const hostProblem = checkHostAndOrigin(req.headers.host, req.headers.origin, options.allowedHosts);
    if (hostProblem) return refuse(jsonRpcError(403, `Forbidden: ${hostProblem}`));
    if (!tokenMatches(req.headers.authorization, config.token_sha256)) {
      return refuse(jsonRpcError(401, 'Unauthorized: missing or invalid bearer token'), { 'www-authenticate': 'Bearer error="invalid_token", error_description="missing or invalid bearer token"' });
    }
    if (req.method !== 'POST') return refuse(jsonRpcError(405, 'Method not allowed: this stateless server accepts POST only'), { allow: 'POST' });
    if (!acceptsBoth(req.headers.accept)) return refuse(jsonRpcError(406, 'Not Acceptable: Accept must list application/json and text/event-stream'));
    if (!isJsonContentType(req.headers['content-type'])) return refuse(jsonRpcError(415, 'Unsupported Media Type: Content-Type must be application/json'));
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return refuse(jsonRpcError(400, `Bad Request: unsupported MCP-Protocol-Version ${version} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`));
    }
    const body = await readBody(req, config.max_request_bytes);
    if (body === 'too-large') return rejectTooLarge(req, res, jsonRpcError(413, `Payload Too Large: the limit is ${config.max_request_bytes} bytes`).body);
    return dispatch(body, res);
  }

  async function dispatch(body: string, res: ServerResponse): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return send(res, jsonRpcError(400, 'Parse error: the body is not valid JSON', PARSE_ERROR));
    }
    if (Array.isArray(value)) return send(res, jsonRpcError(400, 'Invalid Request: JSON-RPC batches are not supported', INVALID_REQUEST));
    const message = classifyMessage(value);
    if (message.kind === 'invalid') return send(res, { status: 400, body: JSON.stringify(await edge.handle(message, noContext)) });
    if (message.kind !== 'request') {
      await edge.handle(message, noContext);
      res.writeHead(202).end();
      return;
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort('the client closed the connection');
    });
    if (wantsStream(message.message)) return respondWithStream(message.message, res, controller);
    const response = await edge.handle(message, { signal: controller.signal, notify: () => {} });
    return send(res, { status: 200, body: JSON.stringify(response) });
  }

  async function respondWithStream(request: JsonRpcRequest, res: ServerResponse, controller: AbortController): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...(closing ? { connection: 'close' } : {}) });
    // A quick call sends headers and result in one write; a slow one shows the client its stream has started.
    const flush = setTimeout(() => res.flushHeaders(), 100);
    const write = (text: string) => {
      if (!res.destroyed) res.write(text);
    };
    const event = (m: JsonRpcNotification | JsonRpcResponse) => write(`event: message\ndata: ${JSON.stringify(m)}\n\n`);
    // A comment line now and then keeps proxies and idle timers from closing a quiet stream.
    const keepAlive = setInterval(() => write(': keep-alive\n\n'), config.progress_interval_ms);
    try {
      const response = await edge.handle({ kind: 'request', message: request }, { signal: controller.signal, notify: event });
      if (response) event(response);
    } finally {
      clearTimeout(flush);
      clearInterval(keepAlive);
      res.end();
    }
  }

  async function shutdown(graceMs = 4000): Promise<void> {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    edge.abortAll('the edge is shutting down');
    const deadline = Date.now() + graceMs;
    while (edge.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    server.closeIdleConnections();
    for (const socket of lingering) socket.destroy();
    const forced = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    await closed;
    clearTimeout(forced);
  }

  return { server, shutdown };
}

/** Long calls answer as SSE so progress can flow; run_command always does (it may run for minutes). */
function wantsStream(request: JsonRpcRequest): boolean {
  if (request.method !== 'tools/call') return false;
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  return meta?.progressToken !== undefined || request.params?.name === 'run_command';
}

const noContext = { signal: new AbortController().signal, notify: () => {} };

function send(res: ServerResponse, reply: { status: number; body: string }, headers: Record<string, string> = {}): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply.body), ...headers });
  res.end(reply.body);
}
