// Shared by the hub benchmarks (bench/hub.ts): `lanmcp hub` as its own process, MCP clients, and readings
// of /proc (CPU time, memory) and of the hub's /metrics. Not a benchmark itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, cp, symlink } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadHubOptions } from '../src/hub/load-options.js';
import { PinnedAgent } from '../src/hub/upstreams/pinned-agent.js';
import { createUpstream } from '../src/hub/upstreams/upstream.js';
import { DEFAULT_TIMING, type UpstreamSpec } from '../src/hub/upstreams/types.js';
import { percentile } from './edge-device.js';

// BENCH_LAB: another lab name, so two people benchmarking on one machine never share devices.
export const LAB = process.env.BENCH_LAB || 'hubbench';
export const root = new URL('..', import.meta.url).pathname;
export const log = (line: string) => process.stderr.write(`${line}\n`);
export const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));
export const r2 = (x: number) => Math.round(x * 100) / 100;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Where `lanmcp` runs from: after the build, bench/hub.ts points this at a private copy of the package
 * (bin, dist, templates, schemas; node_modules linked), so another helper rebuilding the shared checkout
 * mid-run cannot change the hub between series.
 */
export const pkg = { dir: root };

export async function snapshotPackage(work: string): Promise<void> {
  const dir = join(work, 'pkg');
  for (const part of ['bin', 'dist', 'templates', 'schemas']) await cp(join(root, part), join(dir, part), { recursive: true });
  await copyFile(join(root, 'package.json'), join(dir, 'package.json'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  pkg.dir = dir;
}

export interface Stats { p50_ms: number; p99_ms: number; mean_ms: number; min_ms: number; max_ms: number; n: number }

export function stats(times: readonly number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50_ms: r2(percentile(sorted, 50)), p99_ms: r2(percentile(sorted, 99)), mean_ms: r2(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    min_ms: r2(sorted[0]!), max_ms: r2(sorted[sorted.length - 1]!), n: sorted.length,
  };
}

export async function timed<T>(once: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await once();
  return { ms: performance.now() - start, value };
}

// ---- /proc readings ----

/** Host CPU ticks (both cores, every process), for a busy fraction between two readings. */
export function cpuTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, f) => sum + f, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

export function busySince(t: { busy: number; total: number }): number {
  const n = cpuTicks();
  return r2((n.busy - t.busy) / Math.max(1, n.total - t.total));
}

/** utime, stime, cutime, cstime of a process in seconds (clock ticks of 1/100 s on Linux). */
function cpuFields(pid: number | string): number[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map((f) => Number(f) / 100);
}

/** CPU seconds (user + system) a process has used. */
export function processCpuS(pid: number): number {
  const [user = 0, system = 0] = cpuFields(pid);
  return user + system;
}

/**
 * CPU seconds used so far by the lab's edge processes, with the commands they ran (children they reaped).
 * Found by command line and by the device cgroup of this lab, so other labs' edges are not counted.
 */
export function edgesCpuS(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/opt/lanmcp-edge/edge.mjs')) continue;
      if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/lanmcp-lab/${LAB}/`)) continue;
      total += cpuFields(pid).reduce((a, b) => a + b, 0);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

export interface Memory { rss_mb: number; pss_anon_mb: number; private_dirty_mb: number; peak_rss_mb: number }

/** RSS and anonymous memory of a process (smaps_rollup), and its peak RSS, in MB. */
export function memoryOf(pid: number): Memory {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string, text: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const mb = (k: number) => r2(k / 1024);
  return { rss_mb: mb(kb('Rss', rollup)), pss_anon_mb: mb(kb('Pss_Anon', rollup)), private_dirty_mb: mb(kb('Private_Dirty', rollup)), peak_rss_mb: mb(kb('VmHWM', status)) };
}

// ---- the hub as users run it: `lanmcp hub` in its own process, so its CPU and memory are its own ----

export interface HubProcess { child: ChildProcess; pid: number; url: string; base: string; stderr: () => string }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port on 127.0.0.1'))));
    });
  });
}

/** Starts `lanmcp hub` (after extra node flags) and waits for its startup report; every upstream must be up. */
export async function startHubProcess(inventory: string, devices: number, nodeFlags: string[] = [], packageDir = pkg.dir): Promise<HubProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, join(packageDir, 'bin', 'lanmcp.mjs'), 'hub', '-i', inventory, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const hub: HubProcess = { child, pid: child.pid!, url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, stderr: () => stderr };
  // The startup report is one write: the "listening" line, then one line per upstream.
  const startup = await new Promise<string>((resolve, reject) => {
    const started = performance.now();
    const timer = setInterval(() => {
      if (/upstreams up\n/.test(stderr) && stderr.split('\n').length >= devices + 2) { clearInterval(timer); resolve(stderr); }
      else if (performance.now() - started > 60_000) { clearInterval(timer); reject(new Error(`lanmcp hub gave no startup report within 60 s:\n${stderr}`)); }
    }, 20);
    child.once('exit', (code) => { clearInterval(timer); reject(new Error(`lanmcp hub exited ${code} before listening:\n${stderr}`)); });
  }).catch(async (error: unknown) => { await stopHubProcess(hub); throw error; });
  const up = /(\d+)\/(\d+) upstreams up/.exec(startup);
  if (!up || up[1] !== String(devices) || up[2] !== String(devices)) {
    await stopHubProcess(hub);
    throw new Error(`lanmcp hub started with not all ${devices} upstreams up:\n${startup}`);
  }
  return hub;
}

/** bench/reference-proxy.mjs in front of one edge: the cost of a bare Node hop, measured beside the hub. */
export async function startReferenceProxy(edge: EdgeEndpoint): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bench', 'reference-proxy.mjs')], {
    env: { ...process.env, PORT: String(port), EDGE_URL: edge.spec.url, EDGE_AUTH: edge.spec.headers.authorization ?? '' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = performance.now() + 10_000; !stderr.includes('listening'); await sleep(20)) {
    if (performance.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the reference proxy did not start:\n${stderr}`);
    }
  }
  return { url: `http://127.0.0.1:${port}/mcp`, stop };
}

/** SIGINT (the hub closes sessions and upstreams, then exits), SIGKILL after 10 s. */
export async function stopHubProcess(hub: HubProcess): Promise<void> {
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()));
  hub.child.kill('SIGINT');
  const timer = setTimeout(() => hub.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Loaded into a measured hub with `--import` (and `--expose-gc`): on SIGUSR2 it prints V8's heap figures,
 * runs a full GC and prints them again, which tells retained memory from garbage not yet collected. It
 * allocates nothing before the signal, and nothing else calls gc().
 */
const HEAP_PROBE = `import v8 from 'node:v8';
const mb = (x) => Math.round((x / 1048576) * 100) / 100;
const snap = () => { const m = process.memoryUsage(); return { rss_mb: mb(m.rss), heap_total_mb: mb(m.heapTotal), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external),
  spaces_mb: Object.fromEntries(v8.getHeapSpaceStatistics().filter((s) => s.space_size > 0).map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }])) }; };
process.on('SIGUSR2', () => { const before = snap(); globalThis.gc?.(); process.stderr.write('HEAPPROBE ' + JSON.stringify({ before_gc: before, after_gc: snap() }) + '\\n'); });`;

export const HEAP_PROBE_FLAGS = ['--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(HEAP_PROBE)}`];

export interface HeapSnapshot { rss_mb: number; heap_total_mb: number; heap_used_mb: number; external_mb: number; spaces_mb: Record<string, { size: number; used: number }> }

/** Asks a hub started with HEAP_PROBE_FLAGS for its heap figures before and after a full GC. */
export async function heapProbe(hub: HubProcess): Promise<{ before_gc: HeapSnapshot; after_gc: HeapSnapshot }> {
  const seen = hub.stderr().length;
  hub.child.kill('SIGUSR2');
  for (const deadline = performance.now() + 10_000; performance.now() < deadline; await sleep(50)) {
    const line = /HEAPPROBE (.*)\n/.exec(hub.stderr().slice(seen));
    if (line) return JSON.parse(line[1]!) as { before_gc: HeapSnapshot; after_gc: HeapSnapshot };
  }
  throw new Error(`the hub (pid ${hub.pid}) did not answer the heap probe within 10 s`);
}

// ---- MCP clients ----

export async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'hub-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** Ends the client's session on the server (DELETE), then closes it. */
export async function disconnect(client: Client): Promise<void> {
  const transport = client.transport as StreamableHTTPClientTransport | undefined;
  await transport?.terminateSession().catch(() => undefined);
  await client.close();
}

export type CallResult = Awaited<ReturnType<Client['callTool']>>;

export function expectExitZero(result: CallResult, what: string): void {
  const s = result.structuredContent as { exit_code?: number } | undefined;
  if (result.isError || s?.exit_code !== 0) throw new Error(`${what} failed: ${JSON.stringify(result).slice(0, 500)}`);
}

/** run_on_many must answer one ok row per device. */
export function expectAllRows(result: CallResult, devices: number): void {
  const s = result.structuredContent as { summary?: { ok: number; failed: number } } | undefined;
  if (result.isError || s?.summary?.ok !== devices || s.summary.failed !== 0) throw new Error(`run_on_many: wanted ${devices} ok rows, got ${JSON.stringify(s?.summary ?? result).slice(0, 500)}`);
}

/** An edge as the hub's upstream client reaches it (the baseline): the spec the hub plans for it. */
export interface EdgeEndpoint { name: string; spec: UpstreamSpec }

/** A direct client of one edge (the baseline): the hub's own upstream client, called from this process. */
export interface DirectEdge {
  runCommand(argv: string[], host?: string): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * The baseline "straight to the edge" goes through the hub's own upstream client (createUpstream with the
 * spec the hub plans from the same inventory: URL, token, keep-alive agent, TLS and its pin when edges
 * serve it), so the hub's figure minus this one is what the hub itself adds, whatever the transport.
 * `open` also opens the MCP session, as a client's connect does.
 */
export async function openDirect(edge: EdgeEndpoint): Promise<DirectEdge> {
  const upstream = createUpstream(edge.spec, DEFAULT_TIMING);
  await upstream.start();
  if (upstream.status().status !== 'up') {
    await upstream.close();
    throw new Error(`edge ${edge.name} is not up: ${upstream.status().error}`);
  }
  await upstream.request(async () => undefined, {});
  return {
    runCommand: (argv) => upstream.request((client, signal) => client.callTool({ name: 'run_command', arguments: { argv } }, undefined, { signal }), {}),
    close: () => upstream.close(),
  };
}

/** The edges of an inventory as the hub would reach them (after `lanmcp apply` wrote their tokens and pins). */
export async function edgeEndpoints(inventory: string): Promise<EdgeEndpoint[]> {
  const { options } = await loadHubOptions(inventory, process.env, { cwd: root });
  const missing = options.specs.filter((s) => s.missingCredential);
  if (missing.length > 0) throw new Error(`no credentials for ${missing.map((s) => `${s.name} (${s.missingCredential})`).join(', ')}`);
  return options.specs.filter((s) => s.kind === 'edge').map((spec) => ({ name: spec.name, spec }));
}

/**
 * A lean client for comparison only: one keep-alive POST of the JSON-RPC `tools/call` on a node:http(s)
 * agent (pinned like the hub's when the edge serves TLS), the SSE or JSON answer read as text. No SDK
 * client, no fetch Response or web streams, no schema parsing: what an upstream call could cost. The same
 * client straight to an edge and through the hub (openLeanHub) measures what the hub adds with nothing of
 * the client's own stack in the difference.
 */
function leanRunner(url: URL, agent: HttpAgent, headers: Record<string, string>, protocolVersion: string): DirectEdge {
  let id = 0;
  const post = (body: string) => new Promise<string>((resolve, reject) => {
    const all = { ...headers, accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': protocolVersion, 'content-length': String(Buffer.byteLength(body)) };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'POST', agent, headers: all }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return {
    async runCommand(argv, host?: string) {
      const text = await post(JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'run_command', arguments: host ? { host, argv } : { argv } } }));
      // SSE: the response is the last `data:` line; JSON: the body itself.
      const data = text.startsWith('{') ? text : text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6) ?? '';
      const answer = JSON.parse(data) as { result?: CallResult };
      if (!answer.result) throw new Error(`no result: ${text.slice(0, 500)}`);
      return answer.result;
    },
    close: async () => agent.destroy(),
  };
}

export function openLean(edge: EdgeEndpoint): DirectEdge {
  const agent = edge.spec.pin ? new PinnedAgent(edge.spec.pin, { keepAlive: true }) : new HttpAgent({ keepAlive: true });
  return leanRunner(new URL(edge.spec.url), agent, edge.spec.headers ?? {}, '2025-11-25');
}

/** The lean client through the hub, on a session an SDK client opened (and closes again at the end). */
export async function openLeanHub(url: string, token: string, host: string): Promise<DirectEdge> {
  const client = await connect(url, token);
  const transport = client.transport as StreamableHTTPClientTransport;
  const headers = { authorization: `Bearer ${token}`, 'mcp-session-id': transport.sessionId! };
  const runner = leanRunner(new URL(url), new HttpAgent({ keepAlive: true }), headers, transport.protocolVersion ?? '2025-11-25');
  return {
    runCommand: (argv) => runner.runCommand(argv, host),
    close: async () => { await runner.close(); await disconnect(client); },
  };
}
