// Which tool calls need a human's approval before the hub forwards them, and the text the human reads.
// Pure: the device's `confirm` policy, the edge tool and its arguments in; a decision and a message out.
import { findTool } from '../edge/tools/index.js';
import type { Device } from '../inventory/types.js';

export type ConfirmPolicy = 'destructive' | 'all' | 'never';

/** One edge call the hub is about to make: what a human would be asked about. */
export interface PlannedCall {
  device: string;
  tool: string;
  args: Record<string, unknown>;
}

/** What a human is asked: the devices that need it (and only those) and one message for all of them. */
export interface ConfirmPlan {
  devices: string[];
  message: string;
}

/** How a confirmation ended, as the audit log records it. */
export interface ConfirmDecision {
  decision: 'approved' | 'declined' | 'refused';
  /** Who answered: the client's name (elicitation), `terminal` or `--yes` (lanmcp exec). */
  by: string;
  /** Why it was declined or refused, for the agent. */
  reason?: string;
}

/** Asks a human about a plan; never throws (no answer is a decline, no way to ask is a refusal). */
export type Confirmer = (plan: ConfirmPlan) => Promise<ConfirmDecision>;

const MAX_PREVIEW = 400;

/**
 * Whether a call can change the device: the edge tool's `destructiveHint`, refined by arguments where a
 * tool does both (`service` with `action: status` only reads). An unknown tool counts as changing: fail closed.
 */
export function changesDevice(tool: string, args: Record<string, unknown>): boolean {
  if (tool === 'service') return args.action !== 'status';
  const edgeTool = findTool(tool);
  return edgeTool ? edgeTool.annotations.destructiveHint || !edgeTool.annotations.readOnlyHint : true;
}

export function needsConfirmation(policy: ConfirmPolicy, tool: string, args: Record<string, unknown>): boolean {
  if (policy === 'all') return true;
  if (policy === 'destructive') return changesDevice(tool, args);
  return false;
}

interface PolicyIndex {
  byName: Map<string, { policy: ConfirmPolicy; runAs: string }>;
  anyAsks: boolean;
}

// Every tools/call consults the policies (twice: to choose JSON or SSE, then at the gate), so each
// inventory's device list is indexed once rather than searched per call. The index assumes what the hub
// does: a loaded inventory's devices are never changed in place (a reload builds new ones).
const policyIndexes = new WeakMap<readonly Device[], PolicyIndex>();
const NEVER_ASKED = { policy: 'never', runAs: 'root' } as const;

function policyIndex(devices: readonly Device[]): PolicyIndex {
  let index = policyIndexes.get(devices);
  if (!index) {
    const byName = new Map<string, { policy: ConfirmPolicy; runAs: string }>();
    // The first of a name wins, as a search of the list would find it.
    for (const device of devices) {
      if (byName.has(device.name)) continue;
      byName.set(device.name, device.kind === 'edge' ? { policy: device.edge?.policy?.confirm ?? 'never', runAs: device.edge?.run_as ?? 'root' } : NEVER_ASKED);
    }
    index = { byName, anyAsks: [...byName.values()].some((p) => p.policy !== 'never') };
    policyIndexes.set(devices, index);
  }
  return index;
}

/** The device's resolved policy; a device the inventory does not describe as an edge is never asked about. */
export function confirmPolicyOf(devices: readonly Device[], name: string): { policy: ConfirmPolicy; runAs: string } {
  return policyIndex(devices).byName.get(name) ?? NEVER_ASKED;
}

/** False when no device's policy ever asks a human (the default): no call then needs planning. */
export function anyDeviceAsks(devices: readonly Device[]): boolean {
  return policyIndex(devices).anyAsks;
}

/** The calls that need a human and the one message naming them; undefined when none does. */
export function planConfirmation(calls: readonly PlannedCall[], devices: readonly Device[]): ConfirmPlan | undefined {
  const asked = calls.map((call) => ({ call, ...confirmPolicyOf(devices, call.device) })).filter((c) => needsConfirmation(c.policy, c.call.tool, c.call.args));
  if (asked.length === 0) return undefined;
  // Devices that would run the same thing as the same user share one line: run_on_many on 20 Pis is one line.
  const lines = new Map<string, string[]>();
  for (const { call, runAs } of asked) {
    const key = `${runAs}\u0000${describeCall(call.tool, call.args)}`;
    lines.set(key, [...(lines.get(key) ?? []), call.device]);
  }
  const rendered = [...lines.entries()].map(([key, names]) => {
    const [runAs, what] = key.split('\u0000') as [string, string];
    return `${verbOf(asked.find((a) => a.call.device === names[0])!.call.tool)} on ${names.join(', ')} as ${runAs}: ${what}`;
  });
  const policies = [...new Set(asked.map((a) => a.policy))].join(', ');
  return {
    devices: asked.map((a) => a.call.device),
    message: [...rendered, '', `(inventory: confirm: ${policies} for ${asked.length === 1 ? 'this device' : 'these devices'}) Approve?`].join('\n'),
  };
}

function verbOf(tool: string): string {
  return tool === 'run_command' || tool === 'service' ? 'Run' : 'Call';
}

/** What the human reads for one call: the exact command, or the tool and its arguments. */
export function describeCall(tool: string, args: Record<string, unknown>): string {
  switch (tool) {
    case 'run_command': return describeCommand(args);
    case 'service': return `systemctl ${String(args.action)} ${String(args.unit)}`;
    case 'write_file': return describeWrite(args);
    default: return `${tool} ${JSON.stringify(args)}`;
  }
}

function describeCommand(args: Record<string, unknown>): string {
  const line = typeof args.command === 'string' ? args.command
    : Array.isArray(args.argv) ? args.argv.map((a) => quoteWord(String(a))).join(' ') : JSON.stringify(args);
  const extras = [
    typeof args.cwd === 'string' ? `in ${args.cwd}` : '',
    args.env && typeof args.env === 'object' ? `env ${Object.keys(args.env).join(', ')}` : '',
    typeof args.stdin === 'string' ? `stdin ${preview(args.stdin)}` : '',
    typeof args.timeout_s === 'number' ? `timeout ${args.timeout_s} s` : '',
  ].filter((e) => e !== '');
  return extras.length > 0 ? `${line}  (${extras.join('; ')})` : line;
}

function describeWrite(args: Record<string, unknown>): string {
  const content = typeof args.content === 'string' ? args.content : '';
  const shown = args.encoding === 'base64' ? `${content.length} base64 characters` : preview(content);
  const extras = [typeof args.mode === 'string' ? `mode ${args.mode}` : '', args.create_dirs === true ? 'creating folders' : ''].filter((e) => e !== '');
  return `write ${String(args.path)}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}: ${shown}`;
}

/** Short text shown whole (JSON-quoted, so newlines and control characters stay visible); long text cut. */
function preview(text: string): string {
  const bytes = Buffer.byteLength(text);
  return text.length <= MAX_PREVIEW ? `${JSON.stringify(text)} (${bytes} bytes)` : `${JSON.stringify(text.slice(0, MAX_PREVIEW))}… (${bytes} bytes)`;
}

function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
