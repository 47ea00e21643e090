import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema, McpError, ErrorCode,
  PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { LANMCP_VERSION } from '../../shared/version.js';
import type { AgentFetch } from './agent-fetch.js';
import { describeNetworkError } from './errors.js';
import { PinMismatchError } from './pinned-agent.js';

/**
 * Where server→client messages an upstream sends during one call go: the hub's client session that made
 * the call. Each pooled client serves one call at a time, so whatever arrives on it belongs to that call.
 */
export interface CallForwarder {
  /** Logging and other notifications tied to the call. */
  notify?(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
  /** Sampling and elicitation: asked of the hub's client, its answer returned upstream. */
  request?(request: { method: string; params?: Record<string, unknown> }): Promise<Record<string, unknown>>;
}

/** Upstream events that are not tied to a call. */
export interface PoolHooks {
  onToolsChanged?(): void;
  onListChanged?(kind: 'resources' | 'prompts'): void;
  onResourceUpdated?(uri: string): void;
}

export interface PooledClient {
  client: Client;
  /** Set while a call runs on this client. */
  lease?: { forward?: CallForwarder; fail(reason: Error): void };
  /** The transport reported a broken connection: never reuse this client. */
  broken: boolean;
}

/** Transport errors that mean the connection is gone (the edge died mid-call), not a protocol answer. */
const BROKEN_RE = /SSE stream disconnected|terminated|other side closed|ECONNRESET|socket hang up|fetch failed/i;

/** Opens one MCP client session to an upstream, wired so its server→client traffic reaches the current lease. */
export async function connectPooledClient(url: string, headers: Record<string, string>, timeoutMs: number, hooks: PoolHooks, fetch?: AgentFetch): Promise<PooledClient> {
  const client = new Client({ name: 'lanmcp-hub', version: LANMCP_VERSION }, { capabilities: { sampling: {}, elicitation: {} } });
  const pooled: PooledClient = { client, broken: false };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
    ...(fetch ? { fetch } : {}),
    // The hub reconnects upstreams itself; the SDK's own SSE retries would keep a dead call pending.
    reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
  });
  client.onerror = (error) => {
    // Another key on a new connection is not a lost connection: the call fails with the mismatch itself.
    if ((error as { cause?: unknown }).cause instanceof PinMismatchError) {
      const cause = (error as { cause: PinMismatchError }).cause;
      pooled.broken = true;
      pooled.lease?.fail(cause);
      return;
    }
    if (!BROKEN_RE.test(error.message)) return;
    pooled.broken = true;
    // `fetch failed` alone says nothing: the cause (connect ECONNREFUSED …, ECONNRESET) is what a user acts on.
    const cause = (error as { cause?: unknown }).cause;
    const detail = error.message.replace(/^SSE stream disconnected: /, '');
    pooled.lease?.fail(new Error(`connection lost during the call (${cause ? `${detail}: ${describeNetworkError(error)}` : detail})`));
  };
  wireForwarding(pooled, hooks);
  await client.connect(transport, { timeout: timeoutMs });
  return pooled;
}

function wireForwarding(pooled: PooledClient, hooks: PoolHooks): void {
  const { client } = pooled;
  const forwardRequest = async (request: { method: string; params?: Record<string, unknown> }) => {
    const forward = pooled.lease?.forward?.request;
    if (!forward) throw new McpError(ErrorCode.InvalidRequest, `the hub's client cannot answer ${request.method} outside a call`);
    return forward(request) as never;
  };
  client.setRequestHandler(CreateMessageRequestSchema, (request) => forwardRequest(request));
  client.setRequestHandler(ElicitRequestSchema, (request) => forwardRequest(request));
  client.setNotificationHandler(LoggingMessageNotificationSchema, async (notification) => {
    await pooled.lease?.forward?.notify?.(notification);
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => hooks.onToolsChanged?.());
  client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => hooks.onListChanged?.('resources'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, async () => hooks.onListChanged?.('prompts'));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => hooks.onResourceUpdated?.(n.params.uri));
}

export async function closePooledClient(pooled: PooledClient): Promise<void> {
  await pooled.client.close().catch(() => {});
}
