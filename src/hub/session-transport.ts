import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * The transport one session's server is connected to. Each HTTP request of the session is served by its
 * own short-lived SDK transport, so every POST can answer as plain JSON (works behind buffering proxies)
 * or as SSE (when the call will stream progress, logs, sampling or elicitation) — a choice the SDK only
 * offers per transport. Messages the server sends go to the HTTP request they belong to; messages tied
 * to no request go to the session's GET stream, or nowhere when none is open.
 */
export class SessionTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly byRequest = new Map<RequestId, StreamableHTTPServerTransport>();
  private readonly open = new Set<StreamableHTTPServerTransport>();
  private standalone: StreamableHTTPServerTransport | undefined;
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /** A call or a GET stream is open: the session is in use even if no request arrived lately. */
  get busy(): boolean {
    return this.open.size > 0;
  }

  get hasStandaloneStream(): boolean {
    return this.standalone !== undefined;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    const requestId = isResponse ? message.id : options?.relatedRequestId;
    const target = requestId !== undefined ? this.byRequest.get(requestId) : this.standalone;
    if (isResponse && message.id !== undefined) this.byRequest.delete(message.id);
    if (!target) return;
    try {
      await target.send(message, requestId !== undefined && !isResponse ? { relatedRequestId: requestId } : undefined);
    } catch (error) {
      // The client went away mid-call: its answer has nowhere to go, which is not the session's failure.
      this.onerror?.(error as Error);
    }
  }

  /** Serves one HTTP request of this session with a fresh SDK transport. */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, jsonResponse: boolean): Promise<void> {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: jsonResponse });
    this.open.add(transport);
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) this.byRequest.set(message.id, transport);
      this.onmessage?.(message, extra);
    };
    transport.onerror = (error) => this.onerror?.(error);
    if (req.method === 'GET') this.standalone = transport;
    res.once('close', () => {
      this.open.delete(transport);
      if (this.standalone === transport) this.standalone = undefined;
      for (const [id, t] of this.byRequest) {
        if (t !== transport) continue;
        // The client hung up before the answer: cancel the call so the device stops working on it.
        this.byRequest.delete(id);
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'the client closed the connection' } });
      }
    });
    res.setHeader('mcp-session-id', this.sessionId);
    await transport.handleRequest(req, res, body);
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
