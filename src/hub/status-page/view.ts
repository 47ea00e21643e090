// What the status page shows, as plain data: devices and recent calls with their times already phrased for
// a human. Pure: the route gathers upstream status and audit lines, renderStatusPage turns this into HTML.
import type { UpstreamSpec, UpstreamStatus } from '../upstreams/types.js';
import type { RecentCall } from './audit-tail.js';

export interface DeviceInput {
  spec: Pick<UpstreamSpec, 'name' | 'kind' | 'url' | 'address' | 'description' | 'tags' | 'groups'>;
  status: UpstreamStatus;
  /** Edge: the tools its policy enables; `kind: mcp`: the tool names the upstream listed. */
  tools: readonly string[];
}

export interface StatusViewInput {
  version: string;
  /** Epoch ms when the hub was built, and now. */
  startedAt: number;
  now: number;
  /** The client token the viewer signed in with. */
  tokenName: string;
  devices: readonly DeviceInput[];
  calls: readonly RecentCall[];
  /** Why the call list is empty or short (no audit log, unreadable lines). */
  callsNote?: string;
  refreshS: number;
}

/** A moment shown as "12 s ago" with the exact UTC time beside it. */
export interface Moment {
  ago: string;
  iso: string;
}

export interface DeviceRow {
  name: string;
  kind: 'edge' | 'mcp';
  status: 'up' | 'down' | 'unknown';
  since?: Moment;
  lastSeen?: Moment;
  latency?: string;
  version?: string;
  where: string;
  tags: readonly string[];
  groups: readonly string[];
  description?: string;
  error?: string;
  tools: readonly string[];
}

export interface CallRow {
  time: Moment;
  token: string;
  tool: string;
  devices: readonly string[];
  outcome: 'ok' | 'error';
  error?: string;
  duration?: string;
}

export interface StatusView {
  version: string;
  uptime: string;
  tokenName: string;
  generatedAt: string;
  summary: { total: number; up: number; down: number; unknown: number };
  devices: DeviceRow[];
  calls: CallRow[];
  callsNote?: string;
  refreshS: number;
}

/** `412 ms`, `1.2 s`, `2 min 3 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `12 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`: the two largest units. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** An ISO time relative to now; undefined for a missing or unparsable time. */
export function momentOf(iso: string | undefined, now: number): Moment | undefined {
  const at = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const ago = now - at < 1000 ? 'just now' : `${formatSpan(now - at)} ago`;
  return { ago, iso: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function deviceRow(input: DeviceInput, now: number): DeviceRow {
  const { spec, status } = input;
  const since = momentOf(status.since, now);
  const lastSeen = momentOf(status.last_seen, now);
  return {
    name: spec.name, kind: spec.kind, status: status.status, where: (spec.kind === 'edge' ? spec.address : undefined) ?? spec.url,
    ...(since ? { since } : {}), ...(lastSeen ? { lastSeen } : {}),
    ...(status.latency_ms !== undefined ? { latency: formatDuration(status.latency_ms) } : {}),
    ...(status.version ? { version: status.version } : {}), ...(spec.description ? { description: spec.description } : {}),
    ...(status.status !== 'up' && status.error ? { error: status.error } : {}),
    tags: spec.tags, groups: spec.groups, tools: input.tools,
  };
}

function callRow(call: RecentCall, now: number): CallRow {
  return {
    time: momentOf(call.time, now) ?? { ago: 'unknown time', iso: call.time },
    token: call.token, tool: call.tool, devices: call.devices, outcome: call.outcome,
    ...(call.error ? { error: call.error } : {}), ...(call.duration_ms !== undefined ? { duration: formatDuration(call.duration_ms) } : {}),
  };
}

/** The page's data: devices in inventory order, calls newest first. */
export function planStatusView(input: StatusViewInput): StatusView {
  const devices = input.devices.map((d) => deviceRow(d, input.now));
  const count = (status: DeviceRow['status']) => devices.filter((d) => d.status === status).length;
  return {
    version: input.version, uptime: formatSpan(input.now - input.startedAt), tokenName: input.tokenName,
    generatedAt: new Date(input.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    summary: { total: devices.length, up: count('up'), down: count('down'), unknown: count('unknown') },
    devices, calls: [...input.calls].reverse().map((c) => callRow(c, input.now)),
    ...(input.callsNote ? { callsNote: input.callsNote } : {}), refreshS: input.refreshS,
  };
}
