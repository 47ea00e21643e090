import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../upstreams/upstream.js';
import { failureResult, prefixError, progressRelay, type CallContext } from './call-context.js';

/**
 * Calls one tool on one upstream: progress and cancellation pass through, the per-call timeout resets on
 * progress, a failure becomes an isError result naming the device, never an exception or a hang.
 */
export async function callUpstreamTool(upstream: Upstream, tool: string, args: Record<string, unknown>, context: CallContext): Promise<CallToolResult> {
  try {
    const result = await upstream.callTool(tool, args, {
      signal: context.signal,
      forward: context.forward,
      // An edge bounds its own calls (policy timeout_s, under the hub's timeout), so it is asked for
      // progress only when the client asked. A `kind: mcp` upstream has no known bound: it is always
      // asked, so a long call that reports progress never hits the hub's timeout.
      ...(context.progressToken !== undefined || upstream.kind === 'mcp' ? { onprogress: progressRelay(context) } : {}),
    });
    return prefixError(upstream.name, result);
  } catch (error) {
    return failureResult(error, upstream.name);
  }
}

/** `host` checked against the known edges, and removed from the arguments the edge sees. */
export function splitHost(args: Record<string, unknown>, edges: ReadonlyMap<string, Upstream>): { upstream: Upstream; rest: Record<string, unknown> } | string {
  const { host, ...rest } = args;
  if (typeof host !== 'string') return 'the argument `host` (a device name) is required; network_resources lists the devices';
  const upstream = edges.get(host);
  if (!upstream || upstream.kind !== 'edge') return `unknown host "${host}"; known devices: ${[...edges.keys()].join(', ')}`;
  return { upstream, rest };
}
