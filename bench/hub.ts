// Hub benchmark (DESIGN.md "Performance", issue 6), one run on one machine, lab `hubbench`:
//  1. overhead: `run_command true` through `lanmcp hub` vs straight to the same edge, plus a CPU profile;
//  2. fan-out: `run_on_many uptime` on 20 and 50 devices vs `ansible all -m command -a uptime`, cold and warm;
//  3. throughput: 50 concurrent clients (own sessions) calling `run_command true` on 20 devices;
//  4. memory of the hub with 50 edges: idle, every edge session open, after the throughput series.
// Run as root after `npm run build`: `npx vite-node bench/hub.ts`. Knobs: BENCH_DEVICES (default 50; 20
// skips the 50-device series), BENCH_CALLS (overhead calls per contender, default 300), BENCH_WARM_CALLS
// (calls through the hub before the warm overhead series, default 3000), BENCH_FANOUT_RUNS
// (default 5), BENCH_THROUGHPUT_S (seconds through the hub, default 20, in 2 segments alternating with as
// many straight to the edges). Writes bench/results/hub.json and hub.md. Targets: overhead p50 <= 1 ms;
// fan-out on 20 <= 150 ms and >= 20x faster than Ansible; throughput 0 errors; hub RSS <= 150 MB with 50 edges.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { upLab, type LabInfo } from '../src/lab/lab.js';
import { downLab } from '../src/lab/teardown.js';
import { createClientTokenStore } from '../src/secrets/client-tokens.js';
import { benchFanout, type Fanout } from './hub-fanout.js';
import { benchOverhead, profileHub } from './hub-overhead.js';
import { edgeEndpoints, LAB, load, log, memoryOf, pkg, r2, root, sleep, snapshotPackage, startHubProcess, stopHubProcess, type EdgeEndpoint, type Memory } from './hub-process.js';
import { benchHubMemory, type HubMemory } from './hub-throughput.js';
import { renderMarkdown } from './hub-report.js';

const MAX_DEVICES = Number(process.env.BENCH_DEVICES || 50);
const CALLS = Number(process.env.BENCH_CALLS || 300);
const WARM_CALLS = Number(process.env.BENCH_WARM_CALLS || 3000);
const FANOUT_RUNS = Number(process.env.BENCH_FANOUT_RUNS || 5);
const WARM_PER_RUN = 3;
const THROUGHPUT_S = Number(process.env.BENCH_THROUGHPUT_S || 20);
const CLIENTS = 50;

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
  const result = spawnSync(process.execPath, [join(pkg.dir, 'bin', 'lanmcp.mjs'), 'apply', '-i', inventory, '--yes', '--no-hub', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (result.status !== 0) throw new Error(`lanmcp apply exited ${result.status}:\n${(result.stderr ?? '').slice(-4000)}`);
  const { results } = JSON.parse(result.stdout) as { results: Array<{ device: string; status: string }> };
  const bad = results.filter((r) => r.status !== 'changed' && r.status !== 'ok');
  if (results.length !== devices || bad.length > 0) throw new Error(`lanmcp apply: ${results.length} results, not ok: ${bad.map((r) => `${r.device}=${r.status}`).join(', ')}`);
  return r2((performance.now() - started) / 1000);
}

/** Memory of a small Node program after 3 s idle, for scale next to the hub's. */
async function nodeBaseline(source: string): Promise<Memory> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: root, stdio: 'ignore' });
  try {
    await sleep(3000);
    if (child.exitCode !== null) throw new Error(`baseline program exited ${child.exitCode}: ${source}`);
    return memoryOf(child.pid!);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
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

/** The checkout is shared: the commit dist/ was built from, and the files under src/ that differed from it. */
function gitFacts() {
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout ?? '';
  return { git_commit: git(['rev-parse', 'HEAD']).trim(), src_files_uncommitted_at_build: git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).map((l) => l.slice(3)) };
}
let builtFrom: ReturnType<typeof gitFacts> | undefined;

function machine() {
  const first = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? 'unknown';
  return {
    cores: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(),
    node_bench_and_hub: process.version, node_on_devices: 'Debian bookworm nodejs 18.20.4',
    ansible: first('dpkg-query', ['-W', '-f=${Version}', 'ansible']), ansible_core: first('ansible', ['--version']),
    ...builtFrom,
  };
}

async function otherLabs(): Promise<string[]> {
  return (await readdir('/var/lib/lanmcp-lab').catch(() => [] as string[])).filter((name) => name !== LAB && !name.startsWith('.'));
}

/** Waits until the 1-minute load average is at most `load`, or `maxMs` passed; logs which. */
async function settle(load: number, maxMs: number): Promise<void> {
  const started = Date.now();
  while (os.loadavg()[0]! > load && Date.now() - started < maxMs) await new Promise((resolve) => setTimeout(resolve, 5000));
  log(`settled for ${Math.round((Date.now() - started) / 1000)} s: load average ${os.loadavg()[0]!.toFixed(2)} (wanted <= ${load})`);
}

async function runSeries(lab: LabInfo, work: string) {
  const full = join(work, 'inventory.yaml');
  await copyFile(lab.inventory, full);
  const applyS = lanmcpApply(full, MAX_DEVICES);
  log(`lab ${LAB}: ${MAX_DEVICES} devices, lanmcp apply in ${applyS} s`);
  const stateDir = join(work, '.lanmcp');
  const clientTokens = createClientTokenStore(stateDir);
  const token = clientTokens.create('bench');
  const throughputTokens = Array.from({ length: CLIENTS }, (_, i) => clientTokens.create(`client-${i + 1}`));
  // Straight to the edges through the hub's own upstream client, with the tokens (and TLS pins) apply wrote.
  const edges: EdgeEndpoint[] = await edgeEndpoints(full);
  const inv20 = await subsetInventory(full, 20, work);

  // Booting and provisioning 50 devices leaves the 2 cores busy for a while; the per-call overhead is a
  // sub-millisecond figure, so let the machine settle first (the series still records its load). The
  // 1-minute average lags: it reads ~2 about 80 s after the cores went idle, ~1 after about 2 minutes.
  await settle(1, 300_000);
  const hub20 = await startHubProcess(inv20, 20);
  let overhead;
  try {
    overhead = await benchOverhead(hub20, token, edges[0]!, CALLS, WARM_CALLS);
  } finally {
    await stopHubProcess(hub20);
  }
  const { cold, warm } = overhead.lean_client;
  log(`overhead: hub p50 ${overhead.through_hub.p50_ms} ms vs edge ${overhead.straight_to_edge.p50_ms} ms (added ${overhead.added_p50_ms} ms); hub ${overhead.hub_internals.hub_cpu_ms_per_call} ms CPU per call`);
  log(`overhead, lean client: cold +${cold.hub.added_p50_ms} ms (reference proxy +${cold.reference_proxy.added_p50_ms}), warm +${warm.hub.added_p50_ms} ms (reference proxy +${warm.reference_proxy.added_p50_ms})`);
  const profile = await profileHub(inv20, 20, token, edges[0]!.name, CALLS, join(work, 'cpuprof'));
  const fanout20 = await benchFanout(lab, inv20, edges.slice(0, 20), token, work, FANOUT_RUNS, WARM_PER_RUN);
  const fanout50 = MAX_DEVICES >= 50 ? await benchFanout(lab, await subsetInventory(full, 50, work), edges.slice(0, 50), token, work, FANOUT_RUNS, WARM_PER_RUN) : undefined;
  const invAll = await subsetInventory(full, MAX_DEVICES, work);
  const hub = await benchHubMemory(invAll, MAX_DEVICES, token, throughputTokens, edges.slice(0, 20), { seconds: THROUGHPUT_S, rounds: 2, nodeFlags: [] });
  // The same sequence with the young generation capped as the edge's unit does (--max-semi-space-size=1):
  // how much of the hub's memory is V8 keeping a large new space after bursts. Hub load only, no baseline.
  const semi = await benchHubMemory(invAll, MAX_DEVICES, token, throughputTokens, edges.slice(0, 20), { seconds: THROUGHPUT_S, rounds: 0, nodeFlags: ['--max-semi-space-size=1'] });
  const baselines = {
    bare_node_http_server: await nodeBaseline("import http from 'node:http'; http.createServer((q, s) => s.end()).listen(0, '127.0.0.1');"),
    node_importing_only_node_ssh: await nodeBaseline("import 'node-ssh'; setInterval(() => {}, 1000);"),
    node_importing_fastify_and_mcp_sdk: await nodeBaseline("import 'fastify'; import '@modelcontextprotocol/sdk/server/index.js'; import '@modelcontextprotocol/sdk/client/streamableHttp.js'; setInterval(() => {}, 1000);"),
  };
  return { applyS, overhead, profile, fanout20, fanout50, hub, semi, baselines };
}

async function main(): Promise<void> {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}${build.stdout}`);
  builtFrom = gitFacts();
  if (spawnSync('ansible', ['--version']).status !== 0) throw new Error('ansible is missing: apt-get install -y ansible');
  const loadStart = load();
  const neighbours = await otherLabs();
  const work = await mkdtemp(join(os.tmpdir(), 'lanmcp-bench-hub-'));
  let lab: LabInfo | undefined;
  let json: ReturnType<typeof renderJson>;
  try {
    await snapshotPackage(work);
    const labStarted = performance.now();
    lab = await upLab({ name: LAB, devices: MAX_DEVICES, log });
    const labUpS = r2((performance.now() - labStarted) / 1000);
    json = renderJson({ ...(await runSeries(lab, work)), labUpS, loadStart, neighbours });
  } finally {
    await closeControlMasters(work);
    if (lab) await downLab(LAB);
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'hub.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(root, 'bench', 'results', 'hub.md'), renderMarkdown(json));
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

type Series = Awaited<ReturnType<typeof runSeries>>;

export function renderJson(r: Series & { labUpS: number; loadStart: number[]; neighbours: string[] }) {
  const memory = (m: HubMemory) => m.memory;
  const rss150 = (m: HubMemory['memory']) => m.idle_with_every_edge_session_open.rss_mb <= 150 && m.right_after_throughput_50_sessions_open.rss_mb <= 150;
  const f20: Fanout = r.fanout20;
  return {
    benchmark: 'hub', date: new Date().toISOString(),
    unit: 'milliseconds of wall clock per call as the MCP client sees it (SDK Client, Streamable HTTP, keep-alive), unless named otherwise',
    lab: { name: LAB, devices: MAX_DEVICES, up_s: r.labUpS, lanmcp_apply_s: r.applyS },
    overhead: r.overhead,
    overhead_cpu_profile: r.profile,
    fanout_20: f20,
    ...(r.fanout50 ? { fanout_50: r.fanout50 } : {}),
    // The hub's figures at the top level (bench/report.ts reads throughput.calls_per_s and .errors), the
    // same load straight to the edges beside them.
    throughput: (({ through_hub, ...rest }) => ({ ...through_hub, ...rest }))(r.hub.throughput),
    memory: memory(r.hub),
    memory_with_max_semi_space_1mb: { ...memory(r.semi), throughput_through_hub: r.semi.throughput.through_hub },
    memory_baselines: r.baselines,
    targets: {
      // Cold: a freshly started hub with the SDK client; warm: after BENCH_WARM_CALLS calls, lean client.
      overhead_p50_le_1ms: r.overhead.added_p50_ms <= 1,
      overhead_p50_le_1ms_warm: r.overhead.lean_client.warm.hub.added_p50_ms <= 1,
      fanout_20_warm_le_150ms: f20.hub_warm.p50_ms <= 150,
      fanout_20_cold_le_150ms: f20.hub_cold.p50_ms <= 150,
      fanout_20_ge_20x_ansible_warm: f20.ratio_ansible_over_hub.warm >= 20,
      fanout_20_ge_20x_ansible_cold: f20.ratio_ansible_over_hub.cold >= 20,
      throughput_zero_errors: r.hub.throughput.through_hub.errors === 0,
      hub_rss_le_150mb_with_50_edges: MAX_DEVICES >= 50 ? rss150(r.hub.memory) : 'not measured (fewer than 50 devices)',
      hub_rss_le_150mb_with_50_edges_semi_space_1mb: MAX_DEVICES >= 50 ? rss150(r.semi.memory) : 'not measured (fewer than 50 devices)',
    },
    machine: { ...machine(), load_avg_start: r.loadStart, load_avg_end: load(), other_labs_present_at_start: r.neighbours },
  };
}

export type HubResults = ReturnType<typeof renderJson>;

await main();
