import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { commandOf, redactArgs, redactText } from '../audit.js';
import { anyDeviceAsks, planConfirmation, type PlannedCall } from '../confirm.js';
import type { HubRuntime } from '../runtime.js';
import { textResult, type CallContext } from './call-context.js';
import { gateCalls, type ConfirmationRecord } from './confirm-gate.js';
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
  /** The device calls it will make, for the confirmation gate. */
  calls: PlannedCall[];
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
      return { devices: [], calls: [], run: async () => networkResources([...upstreams.values()], runtime.catalog()) };
    case 'run_on_many': {
      const hosts = resolveTarget(args.target, runtime.options.devices, runtime.options.groups);
      if (typeof hosts === 'string') return hosts;
      const { target: _target, max_parallel: _parallel, ...commandArgs } = args;
      return { devices: hosts, calls: hosts.map((device) => ({ device, tool: 'run_command', args: commandArgs })), run: () => runOnMany(args, hosts, upstreams, context) };
    }
    case 'edge': {
      const split = splitHost(args, upstreams);
      if (typeof split === 'string') return split;
      const calls = [{ device: split.upstream.name, tool: target.tool, args: split.rest }];
      return { devices: [split.upstream.name], calls, run: () => callUpstreamTool(split.upstream, target.tool, split.rest, context) };
    }
    case 'admin': {
      const upstream = upstreams.get(target.device)!;
      const inner = typeof args.tool === 'string' ? args.tool : '';
      const innerArgs = (args.arguments ?? {}) as Record<string, unknown>;
      return { devices: [target.device], calls: [{ device: target.device, tool: inner, args: innerArgs }], run: () => callUpstreamTool(upstream, inner, innerArgs, context) };
    }
    case 'upstream':
      return { devices: [target.device], calls: [{ device: target.device, tool: target.tool, args }], run: () => callUpstreamTool(upstreams.get(target.device)!, target.tool, args, context) };
  }
}

/** The context of a call that is only routed to see what it would touch, never run. */
const PLANNING_ONLY: CallContext = { signal: new AbortController().signal, forward: {} };

/**
 * Whether a tools/call will ask a human before running (its devices' `confirm` policy): such a call must be
 * answered as an SSE stream, the only place the question can travel. Pure over the runtime's data.
 */
export function callNeedsConfirmation(runtime: HubRuntime, name: string, args: Record<string, unknown>): boolean {
  if (!anyDeviceAsks(runtime.options.devices)) return false;
  const routed = route(runtime, name, args, PLANNING_ONLY);
  return typeof routed !== 'string' && planConfirmation(routed.calls, runtime.options.devices) !== undefined;
}

/** Devices whose policy says `confirm` wait for a human first; declined or refused calls are never forwarded. */
async function runGated(routed: Routed, runtime: HubRuntime, context: CallContext): Promise<{ result: CallToolResult; confirmation?: ConfirmationRecord }> {
  // Nothing to ask: straight to the call, without the gate's await.
  if (!anyDeviceAsks(runtime.options.devices) || !planConfirmation(routed.calls, runtime.options.devices)) return { result: await routed.run() };
  const gate = await gateCalls(routed.calls, runtime.options.devices, context);
  const confirmation = gate.record ? { confirmation: gate.record } : {};
  return { result: gate.blocked ?? await routed.run(), ...confirmation };
}

/** tools/call: route, confirm, run, then one audit line and the metrics for it, whatever the outcome. */
export async function dispatchToolCall(runtime: HubRuntime, name: string, args: Record<string, unknown>, context: CallContext, caller: Caller): Promise<CallToolResult> {
  const started = performance.now();
  const routed = route(runtime, name, args, context);
  runtime.metrics.enter();
  let result: CallToolResult;
  let confirmation: ConfirmationRecord | undefined;
  try {
    ({ result, confirmation } = typeof routed === 'string' ? { result: textResult(routed, true) } : await runGated(routed, runtime, context));
  } finally {
    runtime.metrics.leave();
  }
  const duration_ms = Math.round(performance.now() - started);
  const endedAt = Date.now();
  const devices = typeof routed === 'string' ? [] : routed.devices;
  const failed = result.isError === true || (name === 'run_on_many' && (result.structuredContent as { summary?: { failed?: number } })?.summary?.failed !== 0);
  // Unknown names share one series: a client cannot grow the metrics without bound.
  const metricName = typeof routed === 'string' && !runtime.catalog().routes.has(name) ? '(unknown)' : name;
  for (const device of devices.length > 0 ? devices : ['-']) runtime.metrics.recordCall(metricName, device, failed ? 'error' : 'ok', duration_ms);
  // Built after the answer went out: redaction and serialization are no part of the call's latency.
  runtime.audit.record(() => {
    const first = result.content?.[0];
    const command = commandOf(args);
    return {
      time: new Date(endedAt).toISOString(), token: caller.token, ...(caller.client ? { client: caller.client } : {}),
      tool: name, devices, ...(command ? { command } : {}), args: redactArgs(name, args),
      outcome: failed ? 'error' : 'ok',
      ...(failed && first?.type === 'text' ? { error: redactText(first.text.split('\n')[0]!.slice(0, 300)) } : {}),
      ...(confirmation ? { confirmation } : {}),
      duration_ms,
    };
  });
  return result;
}
