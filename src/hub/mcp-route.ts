import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createSessionServer, directToolCall } from './mcp-server.js';
import { checkSessionPost } from './post-checks.js';
import { SessionTransport } from './session-transport.js';
import type { HubRuntime } from './runtime.js';
import type { SessionRegistry } from './sessions.js';
import { callNeedsConfirmation } from './tools/dispatch.js';

/** The token name the auth hook attached to the request. */
export const TOKEN_NAME = Symbol('lanmcp.tokenName');
/** A body that was not valid JSON (answered 400 / -32700 by the route, as the MCP rules want). */
export const INVALID_JSON = Symbol('lanmcp.invalidJson');

type Req = FastifyRequest & { [TOKEN_NAME]?: string };

export function jsonRpcError(reply: FastifyReply, status: number, code: number, message: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers(headers).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * Whether a POST should answer as SSE: only when server→client messages may flow during it — a tool call
 * that asked for progress, one forwarded to a generic MCP upstream (which may log, sample or elicit), or
 * one that must be confirmed by a human first.
 * Everything else answers as one JSON body, which survives proxies that buffer SSE.
 */
export function wantsStream(body: unknown, runtime: HubRuntime): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const msg = m as { method?: string; params?: { name?: unknown; _meta?: { progressToken?: unknown } } };
    if (msg?.method !== 'tools/call') return false;
    if (msg.params?._meta?.progressToken !== undefined) return true;
    if (typeof msg.params?.name !== 'string') return false;
    // A call waiting for a human's approval sends its question (elicitation) on its own stream.
    const args = (msg.params as { arguments?: Record<string, unknown> }).arguments ?? {};
    return runtime.catalog().routes.get(msg.params.name)?.kind === 'upstream' || callNeedsConfirmation(runtime, msg.params.name, args);
  });
}

/** Runs a transport on the raw response; a failure still ends the response (500 if nothing was sent yet). */
async function serveRaw(reply: FastifyReply, work: () => Promise<void>): Promise<void> {
  reply.hijack();
  try {
    await work();
  } catch (error) {
    answerInternalError(reply.raw, error);
  }
}

/** A failure while serving on the node response: 500 if nothing was sent yet, else the response just ends. */
function answerInternalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) return void res.end();
  writeJsonRpcError(res, 500, -32603, `internal error: ${(error as Error).message}`);
}

/** A JSON-RPC error answered on the node response (the fast lane and hijacked routes have no Fastify reply). */
export function writeJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** What a POST to an open session carries, once its client passed the checks and its body was read. */
export interface SessionPost {
  /** The client token's name. */
  token: string;
  sessionId: string;
  /** The parsed JSON body, or INVALID_JSON. */
  body: unknown;
}

/**
 * A POST within a session, on the node request and response: 404 for a session this token does not have,
 * an SSE answer when messages may flow during the call, else one JSON body (SessionTransport.handleJson).
 * Served by the `POST /mcp` route and, before Fastify, by the fast lane (mcp-fast-lane.ts).
 */
export async function serveSessionPost(runtime: HubRuntime, sessions: SessionRegistry, post: SessionPost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const { body, sessionId } = post;
    if (body === INVALID_JSON) return writeJsonRpcError(res, 400, -32700, 'Parse error: Invalid JSON');
    const session = sessions.get(sessionId, post.token);
    if (!session) return writeJsonRpcError(res, 404, -32001, 'Session not found');
    if (wantsStream(body, runtime)) return await session.transport.handle(req, res, body, false);
    const checked = checkSessionPost(req.headers, body);
    if (!Array.isArray(checked)) return writeJsonRpcError(res, checked.status, checked.code, checked.message, { 'mcp-session-id': sessionId });
    session.transport.handleJson(req, res, checked);
  } catch (error) {
    answerInternalError(res, error);
  }
}

/** `POST/GET/DELETE /mcp` with sessions, and `POST /mcp/stateless` for clients that keep no session. */
export function registerMcpRoutes(app: FastifyInstance, runtime: HubRuntime, sessions: SessionRegistry): void {
  app.post('/mcp', async (request: Req, reply) => {
    const token = request[TOKEN_NAME]!;
    const id = request.headers['mcp-session-id'];
    if (typeof id === 'string') {
      reply.hijack();
      return serveSessionPost(runtime, sessions, { token, sessionId: id, body: request.body }, request.raw, reply.raw);
    }
    if (request.body === INVALID_JSON) return jsonRpcError(reply, 400, -32700, 'Parse error: Invalid JSON');
    const initializing = Array.isArray(request.body) ? request.body.some(isInitializeRequest) : isInitializeRequest(request.body);
    if (!initializing) return jsonRpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (or use POST /mcp/stateless)');
    const session = await sessions.create(token);
    await serveRaw(reply, () => session.transport.handle(request.raw, reply.raw, request.body, true));
    // A refused initialize (406, 400…) leaves a session nobody knows the id of.
    if (!session.server.getClientVersion()) await sessions.remove(session.id);
  });

  app.get('/mcp', async (request: Req, reply) => {
    const id = request.headers['mcp-session-id'];
    if (typeof id !== 'string') return jsonRpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    const session = sessions.get(id, request[TOKEN_NAME]!);
    if (!session) return jsonRpcError(reply, 404, -32001, 'Session not found');
    if (session.transport.hasStandaloneStream) return jsonRpcError(reply, 409, -32000, 'Conflict: only one SSE stream is allowed per session');
    return serveRaw(reply, () => session.transport.handle(request.raw, reply.raw, undefined, false));
  });

  app.delete('/mcp', async (request: Req, reply) => {
    const id = request.headers['mcp-session-id'];
    if (typeof id !== 'string') return jsonRpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    if (!sessions.get(id, request[TOKEN_NAME]!)) return jsonRpcError(reply, 404, -32001, 'Session not found');
    await sessions.remove(id);
    return reply.code(200).send();
  });

  app.post('/mcp/stateless', async (request: Req, reply) => {
    if (request.body === INVALID_JSON) return jsonRpcError(reply, 400, -32700, 'Parse error: Invalid JSON');
    if (!wantsStream(request.body, runtime)) {
      const checked = checkSessionPost(request.headers, request.body, true);
      if (!Array.isArray(checked)) return jsonRpcError(reply, checked.status, checked.code, checked.message);
      const state = { token: request[TOKEN_NAME]!, subscriptions: new Set<string>() };
      const server = createSessionServer(runtime, state);
      const oneRequest = new SessionTransport(undefined, directToolCall(runtime, server, state));
      reply.raw.once('close', () => void server.close().catch(() => {}));
      await server.connect(oneRequest);
      reply.hijack();
      return oneRequest.handleJson(request.raw, reply.raw, checked);
    }
    const server = createSessionServer(runtime, { token: request[TOKEN_NAME]!, subscriptions: new Set() });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: !wantsStream(request.body, runtime) });
    reply.raw.once('close', () => void server.close().catch(() => {}));
    await server.connect(transport);
    return serveRaw(reply, () => transport.handleRequest(request.raw, reply.raw, request.body));
  });

  const notAllowed = (allow: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
    jsonRpcError(reply, 405, -32000, 'Method not allowed', { allow });
  app.route({ method: ['PUT', 'PATCH'], url: '/mcp', handler: notAllowed('GET, POST, DELETE') });
  app.route({ method: ['GET', 'DELETE', 'PUT', 'PATCH'], url: '/mcp/stateless', handler: notAllowed('POST') });
}
