/**
 * Turns every bench/results/*.json into docs/benchmarks.md (one table per benchmark) and docs/benchmarks.svg
 * (lanmcp against its baseline, drawn here as plain SVG text: no chart dependency for a one-page picture).
 * `buildReport` is pure so a unit test can run it on a fixture; only `main` reads and writes files.
 * Run: npx vite-node bench/report.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResultFile { file: string; data?: unknown; error?: string }
/** `met` is null when not measured; a string when the result file says why it could not be judged. */
export interface Target { text: string; met: boolean | string | null }
export interface Row {
  label: string; unit: string; value: number | null;
  baseline?: { label: string; value: number | null };
  targets?: Target[];
  /** Throughput is better higher: its ratio is lanmcp ÷ baseline, and the chart (shorter is better) leaves it out. */
  better?: 'higher';
  /** Drawn as a dashed line on the chart when the row has no baseline bar to compare with. */
  targetValue?: number;
}
export interface Table { name: string; title: string; rows: Row[]; date?: string; machine?: string; problem?: string }

type Extract = (d: unknown) => Row[];
const NOT_MEASURED = 'not measured yet';

function at(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), data);
}
/** The first of several paths that holds a number: result files renamed some series between runs. */
function num(data: unknown, ...paths: string[]): number | null {
  for (const path of paths) {
    const v = at(data, path);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}
/** All of the paths true/false → their conjunction; a string (the bench's own "not measured (…)") is kept. */
function bool(data: unknown, ...paths: string[]): boolean | string | null {
  const values = paths.map((p) => at(data, p));
  const said = values.find((v) => typeof v === 'string');
  if (typeof said === 'string') return said;
  return values.every((v) => typeof v === 'boolean') ? values.every(Boolean) : null;
}
const ms = (label: string, d: unknown, path: string, base: string, basePath: string, targets?: Target[]): Row =>
  ({ label, unit: 'ms', value: num(d, path), baseline: { label: base, value: num(d, basePath) }, ...(targets ? { targets } : {}) });

/** What each known benchmark contributes: the file's name (bench/results/<name>.json) → title and rows. */
export const BENCHMARKS: Record<string, { title: string; extract: Extract }> = {
  'edge-latency': {
    title: 'Single command latency: run_command `true` on one device (p50)',
    extract: (d) => [
      ms('edge over keep-alive HTTP', d, 'edge_keepalive_raw_http.p50_ms', 'ssh host true (new connection)', 'ssh_new_connection.p50_ms', [
        { text: `p50 ≤ ${num(d, 'target.p50_ms') ?? '?'} ms and ≥ ${num(d, 'target.speedup_vs_ssh_new') ?? '?'}× ssh`, met: bool(d, 'meets_target.raw_http') }]),
      ms('edge through the MCP SDK client', d, 'edge_sdk_client.p50_ms', 'ssh host true (new connection)', 'ssh_new_connection.p50_ms', [
        { text: 'same target', met: bool(d, 'meets_target.sdk_client') }]),
      ms('edge over keep-alive HTTP', d, 'edge_keepalive_raw_http.p50_ms', 'ssh over a ControlMaster socket', 'ssh_controlmaster.p50_ms'),
    ],
  },
  'edge-memory': {
    title: 'Edge memory on a device, idle (MB)',
    extract: (d) => [
      { label: 'edge anonymous memory, Debian Node 18', unit: 'MB', value: num(d, 'edge_idle.anon_mb'), baseline: { label: 'bare Node HTTP server', value: num(d, 'bare_node_http_server_idle.anon_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_anon_mb') ?? '?'} MB`, met: bool(d, 'meets_target.debian_node18.anon') }] },
      { label: 'edge RSS, Debian Node 18', unit: 'MB', value: num(d, 'edge_idle.rss_mb'), baseline: { label: 'bare Node HTTP server', value: num(d, 'bare_node_http_server_idle.rss_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_rss_mb') ?? '?'} MB`, met: bool(d, 'meets_target.debian_node18.rss') }] },
      { label: 'edge anonymous memory, official Node 18', unit: 'MB', value: num(d, 'official_node18_binary.edge_idle.anon_mb'),
        baseline: { label: 'bare Node HTTP server', value: num(d, 'official_node18_binary.bare_node_http_server_idle.anon_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_anon_mb') ?? '?'} MB`, met: bool(d, 'meets_target.official_node18.anon') }] },
      { label: 'edge anonymous memory with TLS on (the default), Debian Node 18', unit: 'MB', value: num(d, 'edge_tls_idle.anon_mb'), baseline: { label: 'bare Node HTTP server', value: num(d, 'bare_node_http_server_idle.anon_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_anon_mb') ?? '?'} MB`, met: bool(d, 'meets_target.debian_node18_tls.anon') }] },
      { label: 'edge RSS with TLS on, Debian Node 18', unit: 'MB', value: num(d, 'edge_tls_idle.rss_mb'), baseline: { label: 'bare Node HTTP server', value: num(d, 'bare_node_http_server_idle.rss_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_rss_mb') ?? '?'} MB`, met: bool(d, 'meets_target.debian_node18_tls.rss') }] },
      { label: 'edge anonymous memory with TLS on, official Node 18', unit: 'MB', value: num(d, 'official_node18_binary_tls.edge_idle.anon_mb'),
        baseline: { label: 'bare Node HTTP server', value: num(d, 'official_node18_binary.bare_node_http_server_idle.anon_mb') },
        targets: [{ text: `≤ ${num(d, 'target.idle_anon_mb') ?? '?'} MB`, met: bool(d, 'meets_target.official_node18_tls.anon') }] },
      { label: 'edge RSS with TLS on after 300 calls over pinned HTTPS', unit: 'MB', value: num(d, 'edge_tls_after_300_calls.rss_mb') },
      { label: 'edge RSS after `yes` for 5 s (output capped)', unit: 'MB', value: num(d, 'edge_after_yes_5s.rss_mb', 'edge_after_stress.rss_mb') },
      { label: 'edge RSS after 200 concurrent calls', unit: 'MB', value: num(d, 'edge_after_200_concurrent_calls.rss_mb', 'edge_after_stress.rss_mb') },
      { label: 'one idle sshd session, for scale (RSS)', unit: 'MB', value: num(d, 'sshd_session_idle.rss_mb') },
    ],
  },
  'lab-up': {
    title: 'Local lab: 20 devices (median)',
    extract: (d) => [
      { label: 'lanmcp lab up 20', unit: 'ms', value: num(d, 'up_ms_median'), targetValue: 10_000,
        targets: [{ text: '≤ 10000 ms', met: num(d, 'up_ms_median') === null ? null : (num(d, 'up_ms_median') ?? 0) <= 10_000 }] },
      { label: 'lanmcp lab up 20 when already up', unit: 'ms', value: num(d, 'up_again_ms_median') },
      { label: 'lanmcp lab down (20 devices)', unit: 'ms', value: num(d, 'down_ms_median') },
    ],
  },
  hub: {
    title: 'Hub: added latency and run_on_many fan-out vs ansible (p50)',
    extract: (d) => [
      ms('run_command through a fresh hub (SDK client)', d, 'overhead.through_hub.p50_ms', 'straight to the edge', 'overhead.straight_to_edge.p50_ms', [
        { text: 'added p50 ≤ 1 ms', met: bool(d, 'targets.overhead_p50_le_1ms') }]),
      ms('run_command through a warm hub (lean client)', d, 'overhead.lean_client.warm.through_hub.p50_ms', 'straight to the edge', 'overhead.lean_client.warm.straight_to_edge.p50_ms', [
        { text: 'added p50 ≤ 1 ms', met: bool(d, 'targets.overhead_p50_le_1ms_warm') }]),
      ms('run_command through a bare Node hop, warm (bench/reference-proxy.mjs)', d, 'overhead.lean_client.warm.through_reference_proxy.p50_ms', 'straight to the edge', 'overhead.lean_client.warm.straight_to_edge.p50_ms'),
      ms('run_on_many, 20 devices, warm', d, 'fanout_20.hub_warm.p50_ms', 'ansible all -m command, warm', 'fanout_20.ansible_warm.p50_ms', [
        { text: '≤ 150 ms', met: bool(d, 'targets.fanout_20_warm_le_150ms') }, { text: '≥ 20× ansible', met: bool(d, 'targets.fanout_20_ge_20x_ansible_warm') }]),
      ms('run_on_many, 20 devices, cold hub', d, 'fanout_20.hub_cold.p50_ms', 'ansible all -m command, cold', 'fanout_20.ansible_cold.p50_ms', [
        { text: '≤ 150 ms', met: bool(d, 'targets.fanout_20_cold_le_150ms') }, { text: '≥ 20× ansible', met: bool(d, 'targets.fanout_20_ge_20x_ansible_cold') }]),
      ms('run_on_many, 50 devices, warm', d, 'fanout_50.hub_warm.p50_ms', 'ansible all -m command, warm', 'fanout_50.ansible_warm.p50_ms'),
      ms('run_on_many, 50 devices, cold hub', d, 'fanout_50.hub_cold.p50_ms', 'ansible all -m command, cold', 'fanout_50.ansible_cold.p50_ms'),
      { label: `throughput: ${num(d, 'throughput.through_hub.clients', 'throughput.clients') ?? '?'} clients, calls/s`, unit: 'calls/s', better: 'higher',
        value: num(d, 'throughput.through_hub.calls_per_s', 'throughput.calls_per_s'),
        baseline: { label: 'the same clients straight to the edges', value: num(d, 'throughput.straight_to_edges.calls_per_s') },
        targets: [{ text: `0 errors (had ${num(d, 'throughput.through_hub.errors', 'throughput.errors') ?? '?'})`, met: bool(d, 'targets.throughput_zero_errors') }] },
      { label: 'throughput: p50 latency under that load', unit: 'ms', value: num(d, 'throughput.through_hub.latency.p50_ms', 'throughput.latency.p50_ms'),
        baseline: { label: 'the same clients straight to the edges', value: num(d, 'throughput.straight_to_edges.latency.p50_ms') } },
      { label: `hub RSS with ${num(d, 'memory.edges') ?? '?'} edges, idle, every edge session open`, unit: 'MB',
        value: num(d, 'memory.idle_with_every_edge_session_open.rss_mb'),
        baseline: { label: 'Node importing only fastify and the MCP SDK', value: num(d, 'memory_baselines.node_importing_fastify_and_mcp_sdk.rss_mb') } },
      { label: `hub RSS with ${num(d, 'memory.edges') ?? '?'} edges, after the throughput sessions`, unit: 'MB',
        value: num(d, 'memory.right_after_throughput_sessions_open.rss_mb', 'memory.right_after_throughput_50_sessions_open.rss_mb'),
        targets: [{ text: '≤ 150 MB with 50 edges', met: bool(d, 'targets.hub_rss_le_150mb_with_50_edges') }] },
    ],
  },
  provision: {
    title: 'Provisioning 20 devices: lanmcp apply vs ansible-playbook (median, s)',
    extract: (d) => [
      { label: 'fresh apply', unit: 's', value: num(d, 'lanmcp.fresh_apply.median'), baseline: { label: 'ansible-playbook, fresh', value: num(d, 'ansible.fresh.median') },
        targets: [{ text: '≤ 8 s', met: bool(d, 'targets.fresh_apply_le_8s') }, { text: '≥ 3× faster', met: bool(d, 'targets.fresh_ge_3x_faster') }] },
      { label: 'no-op apply', unit: 's', value: num(d, 'lanmcp.noop_apply.median'), baseline: { label: 'ansible-playbook no-op, warm', value: num(d, 'ansible.noop_warm.median') },
        targets: [{ text: '≤ 2 s', met: bool(d, 'targets.noop_apply_le_2s') }, { text: '≥ 3× faster', met: bool(d, 'targets.noop_ge_3x_faster') }] },
      { label: 'no-op apply', unit: 's', value: num(d, 'lanmcp.noop_apply.median'), baseline: { label: 'ansible-playbook no-op, cold', value: num(d, 'ansible.noop_cold.median') } },
      { label: 'lanmcp diff', unit: 's', value: num(d, 'lanmcp.diff.median') },
    ],
  },
};

/** Machine facts, whatever the benchmark calls them (`machine`, `host`, or top-level `device`/`node`): scalars only. */
function machineFacts(d: unknown): string | undefined {
  const o = d !== null && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  const m = o.machine ?? o.host ?? { device: o.device, node: o.node };
  if (m === null || typeof m !== 'object') return undefined;
  const facts = Object.entries(m as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) =>
    Array.isArray(v) ? `${k}: ${v.join(' / ')}` : typeof v === 'object' ? undefined : `${k}: ${String(v)}`);
  return facts.filter((f) => f !== undefined).join('; ');
}

export function toTables(files: ResultFile[]): Table[] {
  const byName = new Map(files.map((f) => [f.file.replace(/^.*\//, '').replace(/\.json$/, ''), f]));
  const known = Object.entries(BENCHMARKS).map(([name, spec]): Table => {
    const f = byName.get(name);
    if (f === undefined) return { name, title: spec.title, rows: [], problem: NOT_MEASURED };
    if (f.error !== undefined) return { name, title: spec.title, rows: [], problem: `${f.file} could not be read: ${f.error}` };
    const o = (f.data ?? {}) as Record<string, unknown>;
    const date = [o.date, o.time].find((v) => typeof v === 'string') as string | undefined;
    return { name, title: spec.title, rows: spec.extract(f.data), date, machine: machineFacts(f.data) };
  });
  const unknown = [...byName.keys()].filter((n) => !(n in BENCHMARKS)).map((name): Table =>
    ({ name, title: name, rows: [], problem: `bench/report.ts has no reader for ${name}.json yet: add one to BENCHMARKS` }));
  return [...known, ...unknown];
}

const fmt = (v: number | null, unit = ''): string => (v === null ? NOT_MEASURED : `${Number(v.toPrecision(4))}${unit ? ` ${unit}` : ''}`);
const ratio = (r: Row): number | null => {
  if (!r.value || !r.baseline?.value) return null;
  return r.better === 'higher' ? r.value / r.baseline.value : r.baseline.value / r.value;
};
const yesNo = (t: Target): string => (t.met === null ? '—' : typeof t.met === 'string' ? t.met : t.met ? 'yes' : 'no');

export function renderMarkdown(tables: Table[], generatedAt: string): string {
  const out = ['# Benchmarks', '', `Generated by \`npx vite-node bench/report.ts\` from \`bench/results/*.json\` at ${generatedAt}. `
    + 'How each one is measured: [bench/README.md](../bench/README.md). Ratio = baseline ÷ lanmcp (lanmcp ÷ baseline for calls/s): above 1, lanmcp is faster or smaller. '
    + 'The machine is a shared 2-core host: absolute figures move with its load, ratios measured in one run much less.', '',
    '![lanmcp against its baselines](benchmarks.svg)', ''];
  for (const t of tables) {
    out.push(`## ${t.title}`, '', `Source: \`bench/results/${t.name}.json\`${t.date ? `, ${t.date}` : ''}.`, '');
    if (t.machine) out.push(`Machine: ${t.machine}.`, '');
    if (t.problem) { out.push(`*${t.problem}.*`, ''); continue; }
    out.push('| figure | lanmcp | baseline | ratio | target | met? |', '|---|---|---|---|---|---|');
    for (const r of t.rows) {
      const base = r.baseline ? `${r.baseline.label}: ${fmt(r.baseline.value, r.unit)}` : '—';
      const q = ratio(r);
      out.push(`| ${r.label} | ${fmt(r.value, r.unit)} | ${base} | ${q === null ? '—' : `${q.toFixed(q < 10 ? 2 : 1)}×`} | ${
        r.targets?.map((x) => x.text).join('; ') ?? '—'} | ${r.targets?.map(yesNo).join('; ') ?? '—'} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const W = 960, LABEL_W = 330, BAR_X = 340, BAR_W = 440, ROW_H = 44;

interface Scale { log: boolean; lo: number; hi: number; x(v: number): number; ticks: number[] }
function scaleFor(values: number[]): Scale {
  const pos = values.filter((v) => v > 0);
  const min = Math.min(...pos), max = Math.max(...pos);
  const log = max / min > 20;
  const lo = log ? 10 ** Math.floor(Math.log10(min / 2)) : 0, hi = log ? 10 ** Math.ceil(Math.log10(max)) : max * 1.1;
  const x = (v: number): number => BAR_X + BAR_W * (log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : v / hi);
  const step = 10 ** Math.floor(Math.log10(hi / 4));
  const nice = [1, 2, 5].map((m) => m * step).find((s) => hi / s <= 6) ?? step * 10;
  const ticks = log ? Array.from({ length: Math.round(Math.log10(hi / lo)) + 1 }, (_, i) => lo * 10 ** i)
    : Array.from({ length: Math.floor(hi / nice) + 1 }, (_, i) => i * nice);
  return { log, lo, hi, x, ticks };
}

function panel(t: Table, y0: number): { svg: string[]; height: number } {
  const drawable = t.rows.filter((r) => r.value !== null && r.better !== 'higher' && (r.baseline?.value != null || r.targetValue !== undefined));
  // One axis per panel: rows in another unit than the first (the hub's MB next to its ms) stay in the table only.
  const unit = drawable[0]?.unit ?? '';
  const rows = drawable.filter((r) => r.unit === unit);
  const svg = [`<text x="10" y="${y0 + 16}" class="title">${esc(t.title)}</text>`];
  if (t.problem || rows.length === 0) {
    svg.push(`<text x="20" y="${y0 + 38}" class="missing">${esc(t.problem ?? NOT_MEASURED)}</text>`);
    return { svg, height: 56 };
  }
  const s = scaleFor(rows.flatMap((r) => [r.value ?? 0, r.baseline?.value ?? 0, r.targetValue ?? 0]));
  svg.push(`<text x="${W - 10}" y="${y0 + 16}" class="axis" text-anchor="end">${esc(unit)}, ${s.log ? 'log scale' : 'linear scale'}</text>`);
  const top = y0 + 26, bottom = top + rows.length * ROW_H;
  for (const v of s.ticks) {
    svg.push(`<line x1="${s.x(v).toFixed(1)}" y1="${top}" x2="${s.x(v).toFixed(1)}" y2="${bottom}" class="grid"/>`,
      `<text x="${s.x(v).toFixed(1)}" y="${bottom + 12}" class="axis" text-anchor="middle">${esc(fmt(v))}</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * ROW_H + 4;
    const bar = (val: number, yy: number, cls: string, name: string): void => {
      svg.push(`<rect x="${BAR_X}" y="${yy}" width="${Math.max(1, s.x(val) - BAR_X).toFixed(1)}" height="15" class="${cls}"/>`,
        `<text x="${LABEL_W}" y="${yy + 12}" text-anchor="end" class="${cls === 'lanmcp' ? 'label' : 'base'}">${esc(name)}</text>`,
        `<text x="${(s.x(val) + 5).toFixed(1)}" y="${yy + 12}" class="value">${esc(fmt(val, r.unit))}</text>`);
    };
    bar(r.value ?? 0, y, 'lanmcp', `lanmcp: ${r.label}`);
    if (r.baseline?.value != null) bar(r.baseline.value, y + 18, 'baseline', r.baseline.label);
    const q = ratio(r);
    if (q !== null) svg.push(`<text x="${W - 10}" y="${y + 26}" text-anchor="end" class="ratio">${q.toFixed(q < 10 ? 2 : 1)}×</text>`);
    if (r.targetValue !== undefined) {
      const tx = s.x(r.targetValue).toFixed(1);
      svg.push(`<line x1="${tx}" y1="${y - 2}" x2="${tx}" y2="${y + 34}" class="target"/>`,
        `<text x="${tx}" y="${y + 30}" dx="-4" text-anchor="end" class="base">target ${esc(fmt(r.targetValue, r.unit))}</text>`);
    }
  });
  return { svg, height: bottom - y0 + 26 };
}

export function renderSvg(tables: Table[], generatedAt: string): string {
  const body: string[] = [];
  let y = 44;
  for (const t of tables) { const p = panel(t, y); body.push(...p.svg); y += p.height; }
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" viewBox="0 0 ${W} ${y + 10}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold;fill:#222}.label{font-size:11px;fill:#1f4e8c}.base{font-size:11px;fill:#555}'
    + '.value{font-size:11px;fill:#222}.axis{font-size:10px;fill:#777}.ratio{font-size:13px;font-weight:bold;fill:#1f4e8c}'
    + '.missing{font-size:12px;font-style:italic;fill:#a33}.lanmcp{fill:#2f6fbf}.baseline{fill:#b0b0b0}.grid{stroke:#e4e4e4}'
    + '.target{stroke:#c0392b;stroke-dasharray:4 3;stroke-width:1.5}</style>',
    `<rect width="${W}" height="${y + 10}" fill="#fff"/>`,
    `<text x="10" y="22" font-size="17" font-weight="bold">lanmcp (blue) against its baseline (grey); ratio = baseline ÷ lanmcp</text>`,
    `<text x="10" y="38" class="axis">from bench/results/*.json, ${esc(generatedAt)}; shorter is better</text>`,
    ...body, '</svg>', ''].join('\n');
}

export function buildReport(files: ResultFile[], generatedAt: string): { markdown: string; svg: string } {
  const tables = toTables(files);
  return { markdown: renderMarkdown(tables, generatedAt), svg: renderSvg(tables, generatedAt) };
}

function main(): void {
  const dir = new URL('./results/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file): ResultFile => {
    try { return { file, data: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as unknown }; }
    catch (error) { return { file, error: error instanceof Error ? error.message : String(error) }; }
  });
  const { markdown, svg } = buildReport(files, new Date().toISOString());
  writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), markdown);
  writeFileSync(new URL('../docs/benchmarks.svg', import.meta.url), svg);
  process.stderr.write(`wrote docs/benchmarks.md and docs/benchmarks.svg from ${files.length} result files\n`);
}

// Run as a script only: `node bench/report.ts`-style entries name this file, while vite-node leaves its own
// path in argv[1] (and vitest, which imports the pure part, never does either).
const entry = process.argv[1] ?? '';
if (resolve(entry) === fileURLToPath(import.meta.url) || /[/\\]vite-node(\.m?js)?$/.test(entry)) main();
