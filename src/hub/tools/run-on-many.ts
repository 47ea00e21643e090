import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { selectDevices } from '../../inventory/select.js';
import type { Device } from '../../inventory/types.js';
import type { Upstream } from '../upstreams/upstream.js';
import { textResult, type CallContext } from './call-context.js';
import { callUpstreamTool } from './edge-call.js';
import { mapWithLimit } from '../../shared/concurrency.js';

const DEFAULT_PARALLEL = 16;

export interface ManyRow {
  host: string;
  ok: boolean;
  exit_code?: number | null;
  stdout?: string;
  stderr?: string;
  /** Why the row failed: device down, refused by policy, non-zero exit, timeout. */
  error?: string;
  duration_ms: number;
}

/** The edge devices a target names; a target matching nothing is an error naming it. */
export function resolveTarget(target: unknown, devices: readonly Device[], groups: Record<string, string[]>): string[] | string {
  const pattern = Array.isArray(target) ? target.map(String).join(',') : typeof target === 'string' ? target : undefined;
  if (!pattern) return '`target` must be "all", a group, a tag, a device name, a glob or an array of device names';
  const edges = devices.filter((d) => d.kind === 'edge' && d.state === 'present');
  const selection = selectDevices(edges, pattern, groups);
  const problems = selection.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) return problems.map((d) => d.message + (d.hint ? ` (${d.hint})` : '')).join('; ');
  const names = selection.devices.filter((d) => d.kind === 'edge').map((d) => d.name);
  return names.length > 0 ? names : `target "${pattern}" selects no edge device`;
}

/** Fan-out: each device in parallel (bounded), one row per device; a failing device never fails the call. */
export async function runOnMany(args: Record<string, unknown>, hosts: string[], upstreams: ReadonlyMap<string, Upstream>, context: CallContext): Promise<CallToolResult> {
  const { target: _target, max_parallel, ...commandArgs } = args;
  const limit = typeof max_parallel === 'number' ? max_parallel : DEFAULT_PARALLEL;
  const rowContext: CallContext = { signal: context.signal, forward: {} };
  const rows = await mapWithLimit(hosts, limit, (host) => runOne(host, commandArgs, upstreams, rowContext));
  const failed = rows.filter((r) => !r.ok).length;
  const text = [`${rows.length - failed} ok, ${failed} failed`, ...rows.map(renderRow)].join('\n');
  return textResult(text, false, { results: rows, summary: { ok: rows.length - failed, failed } });
}

async function runOne(host: string, args: Record<string, unknown>, upstreams: ReadonlyMap<string, Upstream>, context: CallContext): Promise<ManyRow> {
  const started = performance.now();
  const upstream = upstreams.get(host);
  if (!upstream) return { host, ok: false, error: `unknown device ${host}`, duration_ms: 0 };
  const result = await callUpstreamTool(upstream, 'run_command', args, context);
  const duration_ms = Math.round(performance.now() - started);
  const s = result.structuredContent as { exit_code?: number | null; stdout?: string; stderr?: string } | undefined;
  const text = result.content?.map((c) => (c.type === 'text' ? c.text : '')).join('\n') ?? '';
  if (!s) return { host, ok: false, error: text.split('\n')[0] ?? 'failed', duration_ms };
  const ok = !result.isError && s.exit_code === 0;
  return {
    host, ok, exit_code: s.exit_code ?? null, stdout: s.stdout ?? '', stderr: s.stderr ?? '', duration_ms,
    ...(ok ? {} : { error: result.isError ? (text.split('\n')[0] ?? 'failed') : `exit ${s.exit_code ?? 'by signal'}` }),
  };
}

function renderRow(row: ManyRow): string {
  const head = `== ${row.host}: ${row.ok ? 'ok' : `FAILED (${row.error})`} · ${row.duration_ms} ms`;
  const out = [row.stdout ? row.stdout.trimEnd() : '', row.stderr ? `[stderr] ${row.stderr.trimEnd()}` : ''].filter((s) => s !== '');
  return [head, ...out].join('\n');
}
