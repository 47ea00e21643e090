import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema, CreateMessageResultSchema, ElicitResultSchema, ListToolsRequestSchema, ResultSchema, SetLevelRequestSchema,
  type LoggingLevel, type ServerNotification, type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { LANMCP_VERSION } from '../shared/version.js';
import { createElicitingConfirmer } from './confirm-elicit.js';
import { wantsStream } from './mcp-route.js';
import { registerResourceHandlers } from './resources.js';
import type { HubRuntime } from './runtime.js';
import type { CallContext } from './tools/call-context.js';
import { dispatchToolCall, type Caller } from './tools/dispatch.js';
import type { DirectToolCall } from './session-transport.js';

const LEVELS: LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

const INSTRUCTIONS =
  'lanmcp hub: administer the devices of this LAN. Call network_resources first to see the devices and their status; ' +
  'the other tools take the device as `host` (run_on_many takes a target: all, a group, a tag or a list).';

/** What one client session keeps: its server, its token's name, its logging level and resource subscriptions. */
export interface SessionState {
  token: string;
  logLevel?: LoggingLevel;
  subscriptions: Set<string>;
}

/**
 * A fresh low-level MCP server for one session (or one stateless request): never shared between clients
 * (GHSA-345p-7cg4-v4c7). Tools route through the runtime; upstream messages during a call go back on
 * that call's own stream.
 */
export function createSessionServer(runtime: HubRuntime, state: SessionState): Server {
  const server = new Server({ name: 'lanmcp-hub', version: LANMCP_VERSION }, {
    capabilities: {
      tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true },
      completions: {}, logging: {},
    },
    instructions: INSTRUCTIONS,
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: runtime.catalog().tools }));
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    state.logLevel = request.params.level;
    return {};
  });
  // Registered as Protocol does it (the request checked once against CallToolRequestSchema), not through
  // Server's tools/call wrapper, which parses the request twice more and the result once more: every result
  // here is either built by the hub or was already validated by the upstream client, and those parses
  // were a measurable part of the hub's own time per call (bench/hub-compare.ts).
  protocolSetRequestHandler.call(server, CallToolRequestSchema, async (request, extra) => {
    const progressToken = request.params._meta?.progressToken;
    const context: CallContext = {
      signal: extra.signal,
      ...(progressToken !== undefined ? { progressToken } : {}),
      forward: {
        notify: async (notification) => {
          if (notification.method === 'notifications/message' && !levelPasses(notification.params?.level, state.logLevel)) return;
          await extra.sendNotification(notification as ServerNotification);
        },
        request: async (upstreamRequest) => {
          const schema = upstreamRequest.method === 'sampling/createMessage' ? CreateMessageResultSchema
            : upstreamRequest.method === 'elicitation/create' ? ElicitResultSchema : ResultSchema;
          return (await extra.sendRequest(upstreamRequest as ServerRequest, schema, { signal: extra.signal })) as Record<string, unknown>;
        },
      },
    };
    const client = server.getClientVersion();
    // Built only for a call that does ask (most never do).
    context.confirm = (plan) => createElicitingConfirmer({
      clientName: client?.name, capabilities: server.getClientCapabilities(),
      streams: wantsStream({ method: 'tools/call', params: request.params }, runtime),
      send: (elicit, timeout) => extra.sendRequest(elicit, ElicitResultSchema, { signal: extra.signal, timeout }),
    })(plan);
    return dispatchToolCall(runtime, request.params.name, request.params.arguments ?? {}, context, callerOf(server, state));
  });
  registerResourceHandlers(server, runtime, state.subscriptions);
  return server;
}

/**
 * The session's tools/call for a POST answered as one JSON body (SessionTransport.handleJson), run without
 * the SDK's Protocol: its three schema guards per message, the request's zod parse and its promise chain
 * were a third of what the hub added to a call. Such a call has no stream, so nothing can travel during it:
 * the route sends one here only when it asked for no progress and neither a generic MCP upstream nor a
 * human's confirmation is involved (wantsStream). Edge logs are dropped, as in the SDK's JSON mode; a call
 * that would still need a confirmation is refused, never run unasked.
 */
export function directToolCall(runtime: HubRuntime, server: Server, state: SessionState): DirectToolCall {
  return (params, signal) => dispatchToolCall(runtime, params.name, params.arguments ?? {}, { signal, forward: {} }, callerOf(server, state));
}

function callerOf(server: Server, state: SessionState): Caller {
  const client = server.getClientVersion();
  return { token: state.token, ...(client ? { client: { name: client.name, version: client.version } } : {}) };
}

/** Protocol's own setRequestHandler: Server's override only adds its tools/call wrapper. */
const protocolSetRequestHandler = Protocol.prototype.setRequestHandler as unknown as Server['setRequestHandler'];

function levelPasses(level: unknown, threshold: LoggingLevel | undefined): boolean {
  if (threshold === undefined || typeof level !== 'string') return true;
  return LEVELS.indexOf(level as LoggingLevel) >= LEVELS.indexOf(threshold);
}
