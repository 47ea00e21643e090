import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { commandOf, redactArgs, redactText } from '../audit.js';
import type { HubRuntime } from '../runtime.js';
import { textResult, type CallContext } from './call-context.js';
import { callUpstreamTool, splitHost } from './edge-call.js';
import { networkResources } from './network-resources.js';
import { resolveTarget, runOnMany } from './run-on-many.js';

/** Who is calling, for the audit log. */
export interface Caller {
  token: string;
  client?: { name: string; version: string };
}

interface Routed {
  devices: string[];
  run: () => Promise<CallToolResult>;
}

/** Finds what a tool name means and what it will touch; a string is an error for the agent. */
function route(runtime: HubRuntime, name: string, args: Record<string, unknown>, context: CallContext): Routed | string {
  const target = runtime.catalog().routes.get(name);
  const { upstreams } = runtime;
  switch (target?.kind) {
    case undefined:
      return `unknown tool "${name}"; tools/list shows the tools this hub offers`;
    case 'network_resources':
      return { devices: [], run: async () => networkResources([...upstreams.values()], runtime.catalog()) };
    case 'run_on_many': {
      const hosts = resolveTarget(args.target, runtime.options.devices, runtime.options.groups);
      if (typeof hosts === 'string') return hosts;
      return { devices: hosts, run: () => runOnMany(args, hosts, upstreams, context) };
    }
    case 'edge': {
      const split = splitHost(args, upstreams);
      if (typeof split === 'string') return split;
      return { devices: [split.upstream.name], run: () => callUpstreamTool(split.upstream, target.tool, split.rest, context) };
    }
    case 'admin': {
      const upstream = upstreams.get(target.device)!;
      const inner = typeof args.tool === 'string' ? args.tool : '';
      const innerArgs = (args.arguments ?? {}) as Record<string, unknown>;
      return { devices: [target.device], run: () => callUpstreamTool(upstream, inner, innerArgs, context) };
    }
    case 'upstream':
      return { devices: [target.device], run: () => callUpstreamTool(upstreams.get(target.device)!, target.tool, args, context) };
  }
}

/** tools/call: route, run, then one audit line and the metrics for it, whatever the outcome. */
export async function dispatchToolCall(runtime: HubRuntime, name: string, args: Record<string, unknown>, context: CallContext, caller: Caller): Promise<CallToolResult> {
  const started = performance.now();
  const routed = route(runtime, name, args, context);
  runtime.metrics.enter();
  let result: CallToolResult;
  try {
    result = typeof routed === 'string' ? textResult(routed, true) : await routed.run();
  } finally {
    runtime.metrics.leave();
  }
  const duration_ms = Math.round(performance.now() - started);
  const devices = typeof routed === 'string' ? [] : routed.devices;
  const failed = result.isError === true || (name === 'run_on_many' && (result.structuredContent as { summary?: { failed?: number } })?.summary?.failed !== 0);
  // Unknown names share one series: a client cannot grow the metrics without bound.
  const metricName = typeof routed === 'string' && !runtime.catalog().routes.has(name) ? '(unknown)' : name;
  for (const device of devices.length > 0 ? devices : ['-']) runtime.metrics.recordCall(metricName, device, failed ? 'error' : 'ok', duration_ms);
  const first = result.content?.[0];
  const command = commandOf(args);
  runtime.audit.write({
    time: new Date().toISOString(), token: caller.token, ...(caller.client ? { client: caller.client } : {}),
    tool: name, devices, ...(command ? { command } : {}), args: redactArgs(name, args),
    outcome: failed ? 'error' : 'ok',
    ...(failed && first?.type === 'text' ? { error: redactText(first.text.split('\n')[0]!.slice(0, 300)) } : {}),
    duration_ms,
  });
  return result;
}
