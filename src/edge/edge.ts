import { LANMCP_VERSION } from '../shared/version.js';
import type { EdgeConfig } from './config.js';
import { InFlight } from './in-flight.js';
import {
  INVALID_REQUEST, LATEST_PROTOCOL_VERSION, METHOD_NOT_FOUND, SUPPORTED_PROTOCOL_VERSIONS,
  errorResponse, resultResponse, type IncomingMessage, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse,
} from './json-rpc.js';
import type { System } from './system.js';
import { handleToolCall, type CallDeps } from './tool-call.js';
import { ALL_TOOLS, describeTool, isEnabled } from './tools/index.js';

/** What one incoming message may do besides answering: report progress on its own stream, learn it was abandoned. */
export interface MessageContext {
  /** Aborted when the client goes away (HTTP connection closed) or the transport shuts down. */
  signal: AbortSignal;
  /** Sends a notification related to this request (SSE event, or in-memory message). */
  notify(notification: JsonRpcNotification): void;
}

/** The edge's MCP core, independent of HTTP: the HTTP server and the in-memory test transport both drive it. */
export interface Edge {
  handle(message: IncomingMessage, context: MessageContext): Promise<JsonRpcResponse | undefined>;
  /** Aborts every running call (their process groups are killed); their responses still complete. */
  abortAll(reason: string): void;
  /** Requests being handled now. */
  readonly inFlight: number;
}

/** Builds the edge from its config and the OS interface; nothing here listens or touches the OS itself. */
export function createEdge(config: EdgeConfig, system: System): Edge {
  const inFlight = new InFlight();
  const deps: CallDeps = { config, system, running: { count: 0 } };
  const tools = ALL_TOOLS.filter((t) => isEnabled(config.policy.tools, t)).map(describeTool);
  const instructions =
    `lanmcp edge on device "${config.name}"${config.policy.read_only ? ' (read-only)' : ''}. ` +
    'Tools act on this device only; refusals name the policy rule that refused.';

  async function handleRequest(request: JsonRpcRequest, context: MessageContext): Promise<JsonRpcResponse> {
    switch (request.method) {
      case 'initialize':
        return resultResponse(request.id, {
          protocolVersion: negotiate(request.params?.protocolVersion),
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: 'lanmcp-edge', title: `lanmcp edge ${config.name}`, version: LANMCP_VERSION },
          instructions,
        });
      case 'ping':
        return resultResponse(request.id, {});
      case 'tools/list':
        return resultResponse(request.id, { tools });
      case 'tools/call':
        return runTracked(request, context);
      default:
        return errorResponse(request.id, METHOD_NOT_FOUND, `Method not found: ${request.method}`);
    }
  }

  async function runTracked(request: JsonRpcRequest, context: MessageContext): Promise<JsonRpcResponse> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(context.signal.reason ?? 'client went away');
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener('abort', onAbort, { once: true });
    const release = inFlight.add(request.id, controller);
    try {
      return await handleToolCall(request, deps, controller.signal, context.notify);
    } finally {
      release();
      context.signal.removeEventListener('abort', onAbort);
    }
  }

  function handleNotification(notification: JsonRpcNotification): void {
    if (notification.method !== 'notifications/cancelled') return;
    const id = notification.params?.requestId;
    const reason = notification.params?.reason;
    if (typeof id === 'string' || typeof id === 'number') inFlight.cancel(id, typeof reason === 'string' ? `cancelled: ${reason}` : 'cancelled by the client');
  }

  return {
    async handle(message, context) {
      if (message.kind === 'request') return handleRequest(message.message, context);
      if (message.kind === 'notification') handleNotification(message.message);
      if (message.kind === 'invalid') return errorResponse(message.id, INVALID_REQUEST, `Invalid request: ${message.reason}`);
      return undefined;
    },
    abortAll: (reason) => inFlight.abortAll(reason),
    get inFlight() {
      return inFlight.size;
    },
  };
}

/** The client's version when we speak it, else our latest (the client then decides whether to go on). */
export function negotiate(requested: unknown): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}
