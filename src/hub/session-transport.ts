import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { JsonReply } from './json-reply.js';
import { answeredId, isRequest } from './message-kind.js';

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
  private closed = false;

  /** Without a session id: the one-request transport of `POST /mcp/stateless` (no Mcp-Session-Id header). */
  constructor(readonly sessionId?: string) {}

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
      for (const message of messages) this.onmessage?.(message, extra);
      res.writeHead(202, this.idHeader);
      res.end();
      return;
    }
    const reply = new JsonReply(res, requestIds, this.idHeader);
    this.track(reply, res);
    for (const id of requestIds) this.byRequest.set(id, reply);
    for (const message of messages) this.onmessage?.(message, extra);
  }

  /** Serves one HTTP request of this session with a fresh SDK transport (SSE answers and the GET stream). */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, jsonResponse: boolean): Promise<void> {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: jsonResponse });
    transport.onmessage = (message, extra) => {
      if (isRequest(message)) this.byRequest.set(message.id, transport);
      this.onmessage?.(message, extra);
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
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the client closed the connection' } });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Calls still running get an answer (and are cancelled on their device) instead of hanging until the
    // client's own timeout.
    await Promise.all([...this.byRequest].map(async ([id, transport]) => {
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the session was closed' } });
      await transport.send({ jsonrpc: '2.0', id, error: { code: -32000, message: 'the session was closed before this call finished; nothing more will run for it' } }).catch(() => {});
    }));
    await Promise.all([...this.open].map((t) => t.close().catch(() => {})));
    this.open.clear();
    this.byRequest.clear();
    this.onclose?.();
  }
}
