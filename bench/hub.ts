// Hub benchmark (DESIGN.md "Performance", issue 6), one run on one machine: the hub's added latency on
// `run_command true` (hub vs the same edge straight), fan-out `run_on_many uptime` on 20 and 50 devices vs
// `ansible all -m command -a uptime` (cold and warm), throughput of 50 concurrent clients, and the hub's
// memory with 50 edges. Run as root after `npm run build`: `npx vite-node bench/hub.ts`
// Knobs: BENCH_DEVICES (default 50; 20 skips the 50-device series), BENCH_CALLS (overhead calls per
// contender, default 300), BENCH_FANOUT_RUNS (default 5), BENCH_THROUGHPUT_S (default 20).
// Writes bench/results/hub.json and hub.md. Targets: overhead p50 <= 1 ms; fan-out on 20 <= 150 ms and
// >= 20x faster than Ansible; throughput with 0 errors; hub RSS <= 150 MB with 50 edges.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { upLab, type LabInfo } from '../src/lab/lab.js';
import { downLab } from '../src/lab/teardown.js';
import { createClientTokenStore } from '../src/secrets/client-tokens.js';
import { createTokenStore } from '../src/secrets/token-store.js';
import { percentile } from './edge-device.js';

const LAB = 'hubbench';
const MAX_DEVICES = Number(process.env.BENCH_DEVICES || 50);
const CALLS = Number(process.env.BENCH_CALLS || 300);
const FANOUT_RUNS = Number(process.env.BENCH_FANOUT_RUNS || 5);
const WARM_PER_RUN = 3;
const THROUGHPUT_S = Number(process.env.BENCH_THROUGHPUT_S || 20);
const CLIENTS = 50;
const root = new URL('..', import.meta.url).pathname;
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Stats { p50_ms: number; p99_ms: number; mean_ms: number; min_ms: number; max_ms: number; n: number }

function stats(times: readonly number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50_ms: r2(percentile(sorted, 50)), p99_ms: r2(percentile(sorted, 99)), mean_ms: r2(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    min_ms: r2(sorted[0]!), max_ms: r2(sorted[sorted.length - 1]!), n: sorted.length,
  };
}

/** Host CPU busy fraction between two readings of /proc/stat (both cores, every process). */
function cpuTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, f) => sum + f, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}
const busySince = (t: { busy: number; total: number }) => { const n = cpuTicks(); return r2((n.busy - t.busy) / Math.max(1, n.total - t.total)); };

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (clock ticks of 1/100 s on Linux). */
function processCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** RSS and anonymous memory of a process in MB (smaps_rollup), and its peak RSS. */
function memoryOf(pid: number): { rss_mb: number; pss_anon_mb: number; anonymous_mb: number; private_dirty_mb: number; peak_rss_mb: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string, text = rollup) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (k: number) => r2(k / 1024);
  return { rss_mb: mb(kb('Rss')), pss_anon_mb: mb(kb('Pss_Anon')), anonymous_mb: mb(kb('Anonymous')), private_dirty_mb: mb(kb('Private_Dirty')), peak_rss_mb: mb(kb('VmHWM', status)) };
}

// ---- the hub as users run it: `lanmcp hub` in its own process (so its CPU and memory are its own) ----

interface HubProcess { child: ChildProcess; pid: number; url: string; base: string; startup: string }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `lanmcp hub` and waits for its startup report; every upstream must be up. */
async function startHubProcess(inventory: string, devices: number): Promise<HubProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'lanmcp.mjs'), 'hub', '-i', inventory, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const startup = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lanmcp hub gave no startup report within 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/upstreams up\n[\s\S]*\n$/.test(stderr) && stderr.split('\n').length >= devices + 2) { clearTimeout(timer); resolve(stderr); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`lanmcp hub exited ${code} before listening:\n${stderr}`)); });
  });
  const up = /(\d+)\/(\d+) upstreams up/.exec(startup);
  if (!up || up[1] !== String(devices) || up[2] !== String(devices)) {
    await stopHubProcess({ child, pid: child.pid!, url: '', base: '', startup });
    throw new Error(`lanmcp hub started with not all ${devices} upstreams up:\n${startup}`);
  }
  return { child, pid: child.pid!, url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, startup };
}

async function stopHubProcess(hub: HubProcess): Promise<void> {
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()));
  hub.child.kill('SIGINT');
  const timer = setTimeout(() => hub.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'hub-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** Ends the client's session on the server (DELETE), then closes it. */
async function disconnect(client: Client): Promise<void> {
  const transport = client.transport as StreamableHTTPClientTransport | undefined;
  await transport?.terminateSession().catch(() => undefined);
  await client.close();
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

function expectExitZero(result: CallResult, what: string): void {
  const s = result.structuredContent as { exit_code?: number } | undefined;
  if (result.isError || s?.exit_code !== 0) throw new Error(`${what} failed: ${JSON.stringify(result).slice(0, 500)}`);
}

/** run_on_many must answer one ok row per device. */
function expectAllRows(result: CallResult, devices: number): void {
  const s = result.structuredContent as { summary?: { ok: number; failed: number } } | undefined;
  if (result.isError || s?.summary?.ok !== devices || s.summary.failed !== 0) throw new Error(`run_on_many: wanted ${devices} ok rows, got ${JSON.stringify(s?.summary ?? result).slice(0, 500)}`);
}

async function timed<T>(once: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await once();
  return { ms: performance.now() - start, value };
}

/** Sum and count of the hub's own run_command duration histogram for one device, from /metrics. */
async function hubSeen(hub: HubProcess, token: string, device: string): Promise<{ sumS: number; count: number }> {
  const text = await (await fetch(`${hub.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const value = (name: string) => Number(new RegExp(`^lanmcp_hub_call_duration_seconds_${name}\\{tool="run_command",device="${device}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sumS: value('sum'), count: value('count') };
}

// ---- 1. overhead: run_command true through the hub vs straight to the same edge, interleaved ----

async function benchOverhead(hub: HubProcess, hubToken: string, edgeUrl: string, edgeToken: string) {
  const loadBefore = load();
  const viaHub = await connect(hub.url, hubToken);
  const direct = await connect(edgeUrl, edgeToken);
  const contenders = {
    hub: () => viaHub.callTool({ name: 'run_command', arguments: { host: 'lab1', argv: ['true'] } }),
    direct: () => direct.callTool({ name: 'run_command', arguments: { argv: ['true'] } }),
  };
  for (let i = 0; i < 20; i++) for (const [name, call] of Object.entries(contenders)) expectExitZero(await call(), `warm-up ${name}`);
  const times = { hub: [] as number[], direct: [] as number[] };
  const seenBefore = await hubSeen(hub, hubToken, 'lab1');
  const cpuBefore = processCpuS(hub.pid);
  const host = cpuTicks();
  for (let round = 0; round < CALLS; round++) {
    // Alternate which goes first, so neither always follows the other's GC or timer work.
    const order = round % 2 ? (['hub', 'direct'] as const) : (['direct', 'hub'] as const);
    for (const name of order) {
      const { ms, value } = await timed(contenders[name]);
      expectExitZero(value, `run_command (${name})`);
      times[name].push(ms);
    }
  }
  const hubCpuS = processCpuS(hub.pid) - cpuBefore;
  const seenAfter = await hubSeen(hub, hubToken, 'lab1');
  const hostBusy = busySince(host);
  await disconnect(viaHub);
  await disconnect(direct);
  const hubStats = stats(times.hub);
  const directStats = stats(times.direct);
  const seenCalls = seenAfter.count - seenBefore.count;
  const hubSeenMean = ((seenAfter.sumS - seenBefore.sumS) / seenCalls) * 1000;
  return {
    calls_each: CALLS, device: 'lab1',
    through_hub: hubStats, straight_to_edge: directStats,
    added_p50_ms: r2(hubStats.p50_ms - directStats.p50_ms),
    added_p99_ms: r2(hubStats.p99_ms - directStats.p99_ms),
    added_mean_ms: r2(hubStats.mean_ms - directStats.mean_ms),
    hub_internals: {
      calls_counted_by_hub: seenCalls,
      // The hub's own timer: from its tool handler to the edge's answer (pool, limiter, upstream MCP call).
      hub_seen_mean_ms: r2(hubSeenMean),
      // What the hub's handler adds over a direct call from this machine (same SDK client, same edge).
      handler_over_direct_mean_ms: r2(hubSeenMean - directStats.mean_ms),
      // What remains: the hub's HTTP server, auth, session routing and JSON-RPC on the client side.
      front_over_handler_mean_ms: r2(hubStats.mean_ms - hubSeenMean),
      hub_cpu_ms_per_call: r2((hubCpuS * 1000) / CALLS),
    },
    host_cpu_busy: hostBusy, load_before: loadBefore, load_after: load(),
  };
}

// ---- 2. fan-out: run_on_many uptime vs ansible all -m command -a uptime, cold and warm, interleaved ----

async function writeAnsibleHosts(lab: LabInfo, devices: number, dir: string): Promise<string> {
  const hosts = Object.fromEntries(lab.devices.slice(0, devices).map((d) => [d.name, { ansible_host: d.address }]));
  const vars = {
    ansible_user: 'root', ansible_ssh_private_key_file: lab.ssh_key,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.known_hosts} -o StrictHostKeyChecking=yes`,
  };
  const file = join(dir, `ansible-hosts-${devices}.yml`);
  await writeFile(file, `${JSON.stringify({ all: { hosts, vars } }, null, 2)}\n`);
  return file;
}

/** One `ansible all -m command -a uptime` (forks = devices); every host must report rc=0. */
function ansibleUptime(hosts: string, devices: number, controlDir: string): number {
  const env = { ...process.env, ANSIBLE_CONFIG: join(root, 'bench', 'ansible', 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir, ANSIBLE_NOCOLOR: '1' };
  const started = performance.now();
  const result = spawnSync('ansible', ['all', '-i', hosts, '-f', String(devices), '-o', '-m', 'command', '-a', 'uptime'], { env, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' });
  const ms = performance.now() - started;
  const ok = (result.stdout ?? '').split('\n').filter((l) => /\| CHANGED \| rc=0 \|/.test(l)).length;
  if (result.status !== 0 || ok !== devices) throw new Error(`ansible all (${devices} hosts) exited ${result.status} with ${ok} ok:\n${(result.stdout ?? '').slice(-3000)}${(result.stderr ?? '').slice(-2000)}`);
  return ms;
}

/**
 * Each round: Ansible cold (new ControlPersist sockets), the hub cold (a new `lanmcp hub` process: edges
 * health-checked over /healthz, no MCP session to any edge yet; the client is connected before the clock
 * starts), Ansible warm (its masters from the cold run), the hub warm (pooled edge sessions), WARM_PER_RUN
 * times with the default max_parallel (16) and with max_parallel = devices.
 */
async function benchFanout(lab: LabInfo, inventory: string, devices: number, token: string, work: string) {
  const loadBefore = load();
  const host = cpuTicks();
  const hosts = await writeAnsibleHosts(lab, devices, work);
  const t = { hubCold: [] as number[], hubWarm: [] as number[], hubWarmAll: [] as number[], ansibleCold: [] as number[], ansibleWarm: [] as number[], hubStart: [] as number[] };
  const fanout = (client: Client, extra: Record<string, unknown> = {}) => timed(() => client.callTool({ name: 'run_on_many', arguments: { target: 'all', argv: ['uptime'], ...extra } }));
  for (let rep = 1; rep <= FANOUT_RUNS; rep++) {
    const controlDir = join(work, `ansible-cp-${devices}-${rep}`);
    t.ansibleCold.push(ansibleUptime(hosts, devices, controlDir));
    const started = performance.now();
    const hub = await startHubProcess(inventory, devices);
    t.hubStart.push(performance.now() - started);
    try {
      const client = await connect(hub.url, token);
      const cold = await fanout(client);
      expectAllRows(cold.value, devices);
      t.hubCold.push(cold.ms);
      t.ansibleWarm.push(ansibleUptime(hosts, devices, controlDir));
      for (let i = 0; i < WARM_PER_RUN; i++) {
        const warm = await fanout(client);
        expectAllRows(warm.value, devices);
        t.hubWarm.push(warm.ms);
        const all = await fanout(client, { max_parallel: devices });
        expectAllRows(all.value, devices);
        t.hubWarmAll.push(all.ms);
      }
      await disconnect(client);
    } finally {
      await stopHubProcess(hub);
    }
    log(`fan-out ${devices} #${rep}: ansible cold ${Math.round(t.ansibleCold.at(-1)!)} ms, hub cold ${Math.round(t.hubCold.at(-1)!)} ms, ansible warm ${Math.round(t.ansibleWarm.at(-1)!)} ms, hub warm ${Math.round(t.hubWarm.at(-1)!)} ms`);
  }
  const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)])) as Record<keyof typeof t, Stats>;
  return {
    devices, rounds: FANOUT_RUNS,
    hub_cold: s.hubCold, hub_warm: s.hubWarm, hub_warm_max_parallel_all: s.hubWarmAll,
    ansible_cold: s.ansibleCold, ansible_warm: s.ansibleWarm,
    hub_process_start_until_all_upstreams_up: s.hubStart,
    ratio_ansible_over_hub: {
      cold: r2(s.ansibleCold.p50_ms / s.hubCold.p50_ms),
      warm: r2(s.ansibleWarm.p50_ms / s.hubWarm.p50_ms),
    },
    host_cpu_busy: busySince(host), load_before: loadBefore, load_after: load(),
  };
}

// ---- 3 and 4. one `lanmcp hub` with 50 edges: memory idle, after opening every edge, throughput, after ----

async function benchThroughput(hub: HubProcess, tokens: string[], targets: string[]) {
  const loadBefore = load();
  const clients = await Promise.all(tokens.map((token) => connect(hub.url, token)));
  const latencies: number[] = [];
  const errors: string[] = [];
  const host = cpuTicks();
  const hubCpu = processCpuS(hub.pid);
  const ownCpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + THROUGHPUT_S * 1000;
  await Promise.all(clients.map(async (client, i) => {
    for (let k = 0; performance.now() < deadline; k++) {
      const device = targets[(i + k) % targets.length]!;
      try {
        const { ms, value } = await timed(() => client.callTool({ name: 'run_command', arguments: { host: device, argv: ['true'] } }));
        expectExitZero(value, `run_command on ${device}`);
        latencies.push(ms);
      } catch (error) {
        errors.push((error as Error).message.slice(0, 300));
      }
    }
  }));
  const wallS = (performance.now() - started) / 1000;
  const hubCpuS = processCpuS(hub.pid) - hubCpu;
  const own = process.cpuUsage(ownCpu);
  const hostBusy = busySince(host);
  const calls = latencies.length;
  return {
    result: {
      clients: tokens.length, sessions: 'one per client, each client its own token', devices: targets.length, duration_s: r2(wallS),
      calls, calls_per_s: r2(calls / wallS), latency: stats(latencies), errors: errors.length, first_errors: [...new Set(errors)].slice(0, 5),
      hub_cpu_s: r2(hubCpuS), hub_cpu_cores_used: r2(hubCpuS / wallS), hub_cpu_ms_per_call: r2((hubCpuS * 1000) / Math.max(1, calls)),
      load_generator_cpu_cores_used: r2((own.user + own.system) / 1e6 / wallS),
      host_cpu_busy: hostBusy, load_before: loadBefore, load_after: load(),
    },
    clients,
  };
}

async function benchHub50(inventory: string, devices: number, token: string, throughputTokens: string[]) {
  const hub = await startHubProcess(inventory, devices);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const idleStart = memoryOf(hub.pid);
    const client = await connect(hub.url, token);
    // Opens one pooled MCP session to every edge (max_parallel = devices), as a busy hub has.
    expectAllRows((await client.callTool({ name: 'run_on_many', arguments: { target: 'all', argv: ['true'], max_parallel: devices } })), devices);
    await disconnect(client);
    await new Promise((r) => setTimeout(r, 5000));
    const idleConnected = memoryOf(hub.pid);
    log(`hub with ${devices} edges: idle ${idleStart.rss_mb} MB RSS, after opening every edge ${idleConnected.rss_mb} MB RSS (${idleConnected.pss_anon_mb} MB anon)`);
    const { result: throughput, clients } = await benchThroughput(hub, throughputTokens, Array.from({ length: 20 }, (_, i) => `lab${i + 1}`));
    const afterSeries = memoryOf(hub.pid);
    await Promise.all(clients.map(disconnect));
    await new Promise((r) => setTimeout(r, 5000));
    const afterClose = memoryOf(hub.pid);
    log(`throughput: ${throughput.calls_per_s} calls/s, p50 ${throughput.latency.p50_ms} ms, p99 ${throughput.latency.p99_ms} ms, ${throughput.errors} errors; hub RSS after ${afterSeries.rss_mb} MB`);
    return {
      throughput,
      memory: {
        edges: devices, process: 'lanmcp hub (node bin/lanmcp.mjs hub), its own process',
        idle_after_start: idleStart, idle_with_every_edge_session_open: idleConnected,
        right_after_throughput_50_sessions_open: afterSeries, after_throughput_sessions_closed_5s: afterClose,
      },
    };
  } finally {
    await stopHubProcess(hub);
  }
}

// ---- setup, run, results ----

/** An inventory with the lab's first `devices` hosts, in `dir` (so it shares `dir/.lanmcp`: tokens, known hosts). */
async function subsetInventory(full: string, devices: number, dir: string): Promise<string> {
  const lines = readFileSync(full, 'utf8').split('\n').filter((line) => {
    const match = /^ {2}lab(\d+):/.exec(line);
    return !match || Number(match[1]) <= devices;
  });
  const file = join(dir, `inventory-${devices}.yaml`);
  await writeFile(file, lines.join('\n'));
  return file;
}

function lanmcpApply(inventory: string, devices: number): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(root, 'bin', 'lanmcp.mjs'), 'apply', '-i', inventory, '--yes', '--no-hub', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (result.status !== 0) throw new Error(`lanmcp apply exited ${result.status}:\n${(result.stderr ?? '').slice(-4000)}`);
  const { results } = JSON.parse(result.stdout) as { results: Array<{ device: string; status: string }> };
  const bad = results.filter((r) => r.status !== 'changed' && r.status !== 'ok');
  if (results.length !== devices || bad.length > 0) throw new Error(`lanmcp apply: ${results.length} results, not ok: ${bad.map((r) => `${r.device}=${r.status}`).join(', ')}`);
  return r2((performance.now() - started) / 1000);
}

/** Ends Ansible's ControlPersist masters (they would linger 60 s) by their sockets. */
async function closeControlMasters(work: string): Promise<void> {
  for (const entry of await readdir(work).catch(() => [] as string[])) {
    if (!entry.startsWith('ansible-cp-')) continue;
    for (const socket of await readdir(join(work, entry)).catch(() => [] as string[])) {
      spawnSync('ssh', ['-o', `ControlPath=${join(work, entry, socket)}`, '-O', 'exit', 'ignored'], { stdio: 'ignore', timeout: 5000 });
    }
  }
}

function machine() {
  const first = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? 'unknown';
  return {
    cores: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(),
    node_bench_and_hub: process.version, node_on_devices: 'Debian bookworm nodejs 18.20.4',
    ansible: first('dpkg-query', ['-W', '-f=${Version}', 'ansible']), ansible_core: first('ansible', ['--version']),
  };
}

async function otherLabs(): Promise<string[]> {
  return (await readdir('/var/lib/lanmcp-lab').catch(() => [] as string[])).filter((name) => name !== LAB && !name.startsWith('.'));
}

async function main(): Promise<void> {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}${build.stdout}`);
  if (spawnSync('ansible', ['--version']).status !== 0) throw new Error('ansible is missing: apt-get install -y ansible');
  const loadStart = load();
  const neighbours = await otherLabs();
  const work = await mkdtemp(join(os.tmpdir(), 'lanmcp-bench-hub-'));
  let lab: LabInfo | undefined;
  let json: Record<string, unknown>;
  try {
    const labStarted = performance.now();
    lab = await upLab({ name: LAB, devices: MAX_DEVICES, log });
    const labUpS = r2((performance.now() - labStarted) / 1000);
    const full = join(work, 'inventory.yaml');
    await copyFile(lab.inventory, full);
    const applyS = lanmcpApply(full, MAX_DEVICES);
    log(`lab ${LAB}: ${MAX_DEVICES} devices up in ${labUpS} s, lanmcp apply in ${applyS} s`);
    const inv20 = await subsetInventory(full, 20, work);
    const stateDir = join(work, '.lanmcp');
    const clientTokens = createClientTokenStore(stateDir);
    const token = clientTokens.create('bench');
    const throughputTokens = Array.from({ length: CLIENTS }, (_, i) => clientTokens.create(`client-${i + 1}`));
    const lab1 = lab.devices[0]!;
    const edgeToken = await createTokenStore(stateDir).read(lab1.name);
    if (!edgeToken) throw new Error(`no edge token for ${lab1.name} in ${stateDir} after lanmcp apply`);

    const hub20 = await startHubProcess(inv20, 20);
    let overhead;
    try {
      overhead = await benchOverhead(hub20, token, `http://${lab1.address}:8766/mcp`, edgeToken);
    } finally {
      await stopHubProcess(hub20);
    }
    log(`overhead: hub p50 ${overhead.through_hub.p50_ms} ms vs edge ${overhead.straight_to_edge.p50_ms} ms (added ${overhead.added_p50_ms} ms)`);
    const fanout20 = await benchFanout(lab, inv20, 20, token, work);
    const fanout50 = MAX_DEVICES >= 50 ? await benchFanout(lab, await subsetInventory(full, 50, work), 50, token, work) : undefined;
    const hub50 = await benchHub50(await subsetInventory(full, MAX_DEVICES, work), MAX_DEVICES, token, throughputTokens);
    json = renderJson({ overhead, fanout20, fanout50, ...hub50, labUpS, applyS, loadStart, neighbours });
  } finally {
    await closeControlMasters(work);
    if (lab) await downLab(LAB);
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'hub.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(root, 'bench', 'results', 'hub.md'), renderMarkdown(json as ReturnType<typeof renderJson>));
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

type Overhead = Awaited<ReturnType<typeof benchOverhead>>;
type Fanout = Awaited<ReturnType<typeof benchFanout>>;
type Hub50 = Awaited<ReturnType<typeof benchHub50>>;

function renderJson(r: Hub50 & { overhead: Overhead; fanout20: Fanout; fanout50: Fanout | undefined; labUpS: number; applyS: number; loadStart: number[]; neighbours: string[] }) {
  const memory50 = r.memory.idle_with_every_edge_session_open;
  return {
    benchmark: 'hub', date: new Date().toISOString(),
    unit: 'milliseconds of wall clock per call as the MCP client sees it (SDK Client, Streamable HTTP, keep-alive), unless named otherwise',
    lab: { name: LAB, devices: MAX_DEVICES, up_s: r.labUpS, lanmcp_apply_s: r.applyS },
    overhead: r.overhead,
    fanout_20: r.fanout20,
    ...(r.fanout50 ? { fanout_50: r.fanout50 } : {}),
    throughput: r.throughput,
    memory: r.memory,
    targets: {
      overhead_p50_le_1ms: r.overhead.added_p50_ms <= 1,
      fanout_20_warm_le_150ms: r.fanout20.hub_warm.p50_ms <= 150,
      fanout_20_cold_le_150ms: r.fanout20.hub_cold.p50_ms <= 150,
      fanout_20_ge_20x_ansible_warm: r.fanout20.ratio_ansible_over_hub.warm >= 20,
      fanout_20_ge_20x_ansible_cold: r.fanout20.ratio_ansible_over_hub.cold >= 20,
      throughput_zero_errors: r.throughput.errors === 0,
      hub_rss_le_150mb_with_50_edges: MAX_DEVICES >= 50 ? memory50.rss_mb <= 150 && r.memory.right_after_throughput_50_sessions_open.rss_mb <= 150 : 'not measured (fewer than 50 devices)',
    },
    machine: { ...machine(), load_avg_start: r.loadStart, load_avg_end: load(), other_labs_present_at_start: r.neighbours },
  };
}

function renderMarkdown(j: ReturnType<typeof renderJson>): string {
  const o = j.overhead;
  const met = (v: boolean | string) => (v === true ? 'met' : v === false ? '**missed**' : v);
  const fan = (f: Fanout) => [
    `| run_on_many uptime, ${f.devices} devices, cold (new hub process) | ${f.hub_cold.p50_ms} / ${f.hub_cold.p99_ms} | ansible cold ${Math.round(f.ansible_cold.p50_ms)} | ${f.ratio_ansible_over_hub.cold}× |`,
    `| run_on_many uptime, ${f.devices} devices, warm (default max_parallel 16) | ${f.hub_warm.p50_ms} / ${f.hub_warm.p99_ms} | ansible warm ${Math.round(f.ansible_warm.p50_ms)} | ${f.ratio_ansible_over_hub.warm}× |`,
    `| run_on_many uptime, ${f.devices} devices, warm, max_parallel ${f.devices} | ${f.hub_warm_max_parallel_all.p50_ms} / ${f.hub_warm_max_parallel_all.p99_ms} | | |`,
  ];
  const m = j.memory;
  const mem = (label: string, x: ReturnType<typeof memoryOf>) => `| ${label} | ${x.rss_mb} | ${x.pss_anon_mb} | ${x.private_dirty_mb} |`;
  const t = j.throughput;
  return [
    `# Hub benchmark: overhead, fan-out vs Ansible, throughput, memory (${j.lab.devices} lab devices)`,
    '',
    `${j.date}, ${j.machine.cores} cores (${j.machine.cpu_model}), Node ${j.machine.node_bench_and_hub} (hub), ${j.machine.node_on_devices} (edges), Ansible ${j.machine.ansible} (${j.machine.ansible_core}); load average ${j.machine.load_avg_start.join(' / ')} at start, ${j.machine.load_avg_end.join(' / ')} at end; other labs present: ${j.machine.other_labs_present_at_start.join(', ') || 'none'}. Produced by \`npx vite-node bench/hub.ts\`; every figure in hub.json with its load average before/after.`,
    '',
    '| series | lanmcp p50 / p99 ms | baseline ms (p50) | ratio |',
    '|---|---|---|---|',
    `| run_command true through the hub (${o.calls_each} calls) | ${o.through_hub.p50_ms} / ${o.through_hub.p99_ms} | straight to the edge ${o.straight_to_edge.p50_ms} / ${o.straight_to_edge.p99_ms} | added p50 ${o.added_p50_ms} ms |`,
    ...fan(j.fanout_20),
    ...(j.fanout_50 ? fan(j.fanout_50) : []),
    `| throughput: ${t.clients} clients × run_command true on ${t.devices} devices, ${t.duration_s} s | ${t.latency.p50_ms} / ${t.latency.p99_ms} | ${t.calls_per_s} calls/s, ${t.errors} errors | |`,
    '',
    `Hub internals (overhead series): the hub's own histogram says ${o.hub_internals.hub_seen_mean_ms} ms per call from its tool handler to the edge's answer (direct call mean ${o.straight_to_edge.mean_ms} ms), so the handler path adds ${o.hub_internals.handler_over_direct_mean_ms} ms and the front (HTTP, auth, session, JSON-RPC) ${o.hub_internals.front_over_handler_mean_ms} ms; the hub process used ${o.hub_internals.hub_cpu_ms_per_call} ms of CPU per call. Throughput series: hub ${t.hub_cpu_ms_per_call} ms CPU per call, ${t.hub_cpu_cores_used} cores; load generator ${t.load_generator_cpu_cores_used} cores; host CPU ${Math.round(t.host_cpu_busy * 100)} % busy.`,
    '',
    `| hub memory, ${m.edges} edges | RSS MB | Pss_Anon MB | Private_Dirty MB |`,
    '|---|---|---|---|',
    mem('idle after start (health checks only)', m.idle_after_start),
    mem('idle, an MCP session open to every edge', m.idle_with_every_edge_session_open),
    mem(`right after throughput (${t.clients} client sessions open)`, m.right_after_throughput_50_sessions_open),
    mem('5 s after the clients closed their sessions', m.after_throughput_sessions_closed_5s),
    '',
    '| target | |',
    '|---|---|',
    ...Object.entries(j.targets).map(([k, v]) => `| ${k} | ${met(v)} |`),
    '',
  ].join('\n');
}

await main();
