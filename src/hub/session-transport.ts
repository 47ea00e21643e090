import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type CallToolResult, type JSONRPCMessage, type JSONRPCRequest, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { JsonReply } from './json-reply.js';
import { answeredId, isRequest } from './message-kind.js';
import { CallCanceller, type CallSignal } from './call-signal.js';

/** A session's tools/call run without the SDK's Protocol (mcp-server.ts directToolCall). */
export type DirectToolCall = (params: { name: string; arguments?: Record<string, unknown> }, signal: CallSignal) => Promise<CallToolResult>;

/** Where the server's messages for one HTTP request go: an SDK transport (SSE, GET) or a JsonReply. */
interface RequestSink {
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * The transport one session's server is connected to. A POST that answers as one JSON body (most calls;
 * works behind buffering proxies) is served directly on the node response by a JsonReply: no SDK
 * transport, no web streams, which is most of what the hub adds to a call. A POST that streams (progress,
 * logs, sampling or elicitation) and the GET stream get their own short-lived SDK transport, since the SDK
 * chooses JSON or SSE per transport. Messages the server sends go to the HTTP request they belong to;
 * messages tied to no request go to the session's GET stream, or nowhere when none is open.
 */
export class SessionTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly byRequest = new Map<RequestId, RequestSink>();
  private readonly open = new Set<RequestSink>();
  private standalone: RequestSink | undefined;
  /** Tool calls running on the direct path, by request id: a cancellation aborts them here. */
  private readonly direct = new Map<RequestId, CallCanceller>();
  private closed = false;

  /**
   * Without a session id: the one-request transport of `POST /mcp/stateless` (no Mcp-Session-Id header).
   * With `directToolCall`, a plain tools/call answered as JSON runs through it instead of the SDK's server.
   */
  constructor(readonly sessionId?: string, private readonly directToolCall?: DirectToolCall) {}

  private get idHeader(): Record<string, string> {
    return this.sessionId === undefined ? {} : { 'mcp-session-id': this.sessionId };
  }

  async start(): Promise<void> {}

  /** A call or a GET stream is open: the session is in use even if no request arrived lately. */
  get busy(): boolean {
    return this.open.size > 0;
  }

  get hasStandaloneStream(): boolean {
    return this.standalone !== undefined;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const answered = answeredId(message);
    const isResponse = answered !== undefined;
    const requestId = isResponse ? answered : options?.relatedRequestId;
    const target = requestId !== undefined ? this.byRequest.get(requestId) : this.standalone;
    if (isResponse) this.byRequest.delete(answered);
    if (!target) return;
    try {
      await target.send(message, requestId !== undefined && !isResponse ? { relatedRequestId: requestId } : undefined);
    } catch (error) {
      // The client went away mid-call: its answer has nowhere to go, which is not the session's failure.
      this.onerror?.(error as Error);
    }
  }

  /**
   * Serves a POST whose messages passed checkSessionPost and that answers as one JSON body: notifications
   * and responses only → 202; otherwise 200 once the server answered every request in it.
   */
  handleJson(req: IncomingMessage, res: ServerResponse, messages: readonly JSONRPCMessage[]): void {
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    const requestIds = messages.filter(isRequest).map((m) => m.id);
    if (requestIds.length === 0) {
      for (const message of messages) this.deliver(message, extra);
      res.writeHead(202, this.idHeader);
      res.end();
      return;
    }
    const reply = new JsonReply(res, requestIds, this.idHeader);
    this.track(reply, res);
    for (const id of requestIds) this.byRequest.set(id, reply);
    for (const message of messages) {
      if (this.directToolCall && isPlainToolCall(message)) this.runDirect(message, this.directToolCall);
      else this.deliver(message, extra);
    }
  }

  /** To the session's server, except a cancellation of a direct call, which is that call's to act on. */
  private deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if ('method' in message && message.method === 'notifications/cancelled') {
      const params = message.params as { requestId?: RequestId; reason?: string } | undefined;
      const running = params?.requestId !== undefined ? this.direct.get(params.requestId) : undefined;
      // The reason is the client's text: anything else is not passed on (it would reach String() later).
      if (running) return void running.abort(typeof params?.reason === 'string' ? params.reason : undefined);
    }
    this.onmessage?.(message, extra);
  }

  /** Answered as the SDK's server answers: the result, or the error's code, message and data; nothing once cancelled. */
  private runDirect(request: PlainToolCall, call: DirectToolCall): void {
    const controller = new CallCanceller();
    this.direct.set(request.id, controller);
    void call(request.params, controller).then(
      (result): JSONRPCMessage => ({ jsonrpc: '2.0', id: request.id, result }),
      (error: { code?: unknown; message?: string; data?: unknown }): JSONRPCMessage => ({
        jsonrpc: '2.0', id: request.id,
        error: { code: Number.isSafeInteger(error?.code) ? error.code as number : ErrorCode.InternalError, message: error?.message ?? 'Internal error', ...(error?.data !== undefined ? { data: error.data } : {}) },
      }),
    ).then((response) => {
      if (this.direct.get(request.id) === controller) this.direct.delete(request.id);
      // A cancelled request gets no response (MCP cancellation), as the SDK's server does.
      if (!controller.aborted) return this.send(response);
    });
  }

  /** Serves one HTTP request of this session with a fresh SDK transport (SSE answers and the GET stream). */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, jsonResponse: boolean): Promise<void> {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: jsonResponse });
    transport.onmessage = (message, extra) => {
      if (isRequest(message)) this.byRequest.set(message.id, transport);
      this.deliver(message, extra);
    };
    transport.onerror = (error) => this.onerror?.(error);
    if (req.method === 'GET') this.standalone = transport;
    this.track(transport, res);
    if (this.sessionId !== undefined) res.setHeader('mcp-session-id', this.sessionId);
    await transport.handleRequest(req, res, body);
  }

  /** The sink is open until its response closes; calls it still owed then are cancelled. */
  private track(sink: RequestSink, res: ServerResponse): void {
    this.open.add(sink);
    res.once('close', () => {
      this.open.delete(sink);
      if (this.standalone === sink) this.standalone = undefined;
      for (const [id, s] of this.byRequest) {
        if (s !== sink) continue;
        // The client hung up before the answer: cancel the call so the device stops working on it.
        this.byRequest.delete(id);
        this.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the client closed the connection' } });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Calls still running get an answer (and are cancelled on their device) instead of hanging until the
    // client's own timeout.
    await Promise.all([...this.byRequest].map(async ([id, transport]) => {
      this.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the session was closed' } });
      await transport.send({ jsonrpc: '2.0', id, error: { code: -32000, message: 'the session was closed before this call finished; nothing more will run for it' } }).catch(() => {});
    }));
    await Promise.all([...this.open].map((t) => t.close().catch(() => {})));
    this.open.clear();
    this.byRequest.clear();
    this.onclose?.();
  }
}

type PlainToolCall = JSONRPCRequest & { params: { name: string; arguments?: Record<string, unknown> } };

/**
 * A tools/call with a name, arguments as an object (or none) and nothing else: no `_meta` (progress, related
 * task) and no task creation. Anything else goes to the SDK's server, which checks it and answers as it does.
 */
function isPlainToolCall(message: JSONRPCMessage): message is PlainToolCall {
  if (!isRequest(message) || message.method !== 'tools/call') return false;
  const params = message.params as Record<string, unknown> | undefined;
  if (typeof params?.name !== 'string') return false;
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return false;
  return Object.keys(params).every((key) => key === 'name' || key === 'arguments');
}
