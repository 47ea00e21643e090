// Hub overhead, A/B: `run_command true` through two or more builds of `lanmcp hub` and straight to the same
// edge, all interleaved in one run, so a before/after comparison shares the machine's load of the moment.
// Not the published benchmark (bench/hub.ts is): a tool for changing the hub's request path.
//
//   npm run build && npx vite-node bench/hub-compare.ts -- /tmp/hub-before /work/main
//
// Each argument is a package folder with bin/, dist/ and node_modules/ (a `git archive` of an older commit,
// built, with node_modules linked, is one). Knobs: BENCH_CALLS (calls per contender, default 400),
// BENCH_ROUNDS (repeats of the whole series, default 1), BENCH_PLAIN_HTTP=1 (edges without TLS), BENCH_PROFILE=1 (then a CPU profile of each hub,
// kept in BENCH_PROFILE_DIR if set). Boots and removes its own lab (`hubbench`, 1 device).
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { upLab } from '../src/lab/lab.js';
import { downLab } from '../src/lab/teardown.js';
import { createClientTokenStore } from '../src/secrets/client-tokens.js';
import { profileHub } from './hub-overhead.js';
import { connect, disconnect, edgeEndpoints, openDirect, openLean, openLeanHub, processCpuS, sleep, expectExitZero, LAB, load, log, r2, startHubProcess, stats, stopHubProcess, timed, type CallResult, type DirectEdge, type HubProcess } from './hub-process.js';

const CALLS = Number(process.env.BENCH_CALLS || 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 1);

async function series(inventory: string, token: string, packages: string[]) {
  const hubs: HubProcess[] = [];
  const clients: Client[] = [];
  let direct: DirectEdge | undefined;
  let lean: DirectEdge | undefined;
  const leanHubs: DirectEdge[] = [];
  try {
    // One at a time, so a hub that fails to start leaves none of the others running.
    for (const dir of packages) hubs.push(await startHubProcess(inventory, 1, [], dir));
    direct = await openDirect((await edgeEndpoints(inventory))[0]!);
    lean = openLean((await edgeEndpoints(inventory))[0]!);
    for (const hub of hubs) clients.push(await connect(hub.url, token));
    for (const hub of hubs) leanHubs.push(await openLeanHub(hub.url, token, 'lab1'));
    const contenders: Array<[string, () => Promise<CallResult>]> = [
      ['direct', () => direct!.runCommand(['true'])],
      ['lean', () => lean!.runCommand(['true'])],
      ...clients.map((client, i): [string, () => Promise<CallResult>] => [packages[i]!, () => client.callTool({ name: 'run_command', arguments: { host: 'lab1', argv: ['true'] } })]),
      ...leanHubs.map((leanHub, i): [string, () => Promise<CallResult>] => [`lean ${packages[i]!}`, () => leanHub.runCommand(['true'])]),
    ];
    for (let i = 0; i < 30; i++) for (const [name, call] of contenders) expectExitZero(await call(), `warm-up ${name}`);
    const times = new Map(contenders.map(([name]) => [name, [] as number[]]));
    const loadBefore = load();
    const cpuBefore = hubs.map((hub) => processCpuS(hub.pid));
    for (let round = 0; round < CALLS; round++) {
      // Rotate the order so no contender always runs right after another's GC or timers.
      for (let k = 0; k < contenders.length; k++) {
        const [name, call] = contenders[(round + k) % contenders.length]!;
        const { ms, value } = await timed(call);
        expectExitZero(value, name);
        times.get(name)!.push(ms);
      }
    }
    // What one call costs the calling process itself (SDK client, fetch, streams): the hub pays it again toward the edge.
    const own = process.cpuUsage();
    for (let i = 0; i < 100; i++) expectExitZero(await direct.runCommand(['true']), 'direct (client CPU)');
    const ownCpu = process.cpuUsage(own);
    const clientCpuMsPerCall = r2((ownCpu.user + ownCpu.system) / 1000 / 100);
    // The same with a lean client (bench/hub-process.ts openLean): what the upstream call could cost the hub.
    const leanOwn = process.cpuUsage();
    for (let i = 0; i < 100; i++) expectExitZero(await lean.runCommand(['true']), 'lean direct (client CPU)');
    const leanCpu = process.cpuUsage(leanOwn);
    const leanClient = { cpu_ms_per_call: r2((leanCpu.user + leanCpu.system) / 1000 / 100), ...stats(times.get('lean')!) };
    const cpuMsPerCall = hubs.map((hub, i) => r2(((processCpuS(hub.pid) - cpuBefore[i]!) * 1000) / CALLS));
    // The hub's front alone (HTTP, auth, session, JSON-RPC; no upstream): CPU per `ping`.
    const pingCpuMs: number[] = [];
    for (const [i, hub] of hubs.entries()) {
      const before = processCpuS(hub.pid);
      // Paced under the hub's per-token rate limit (100/s).
      for (let k = 0; k < CALLS; k++) { await clients[i]!.ping(); await sleep(11); }
      pingCpuMs.push(r2(((processCpuS(hub.pid) - before) * 1000) / CALLS));
    }
    const straight = stats(times.get('direct')!);
    return {
      load_before: loadBefore, load_after: load(), straight_to_edge: straight, client_cpu_ms_per_direct_call: clientCpuMsPerCall, lean_client_direct: leanClient,
      hubs: Object.fromEntries(packages.map((dir, i) => {
        const s = stats(times.get(dir)!);
        const viaLean = stats(times.get(`lean ${dir}`)!);
        const leanAdded = { lean_client_p50_ms: viaLean.p50_ms, lean_added_p50_ms: r2(viaLean.p50_ms - leanClient.p50_ms), lean_added_p99_ms: r2(viaLean.p99_ms - leanClient.p99_ms) };
        return [dir, { ...s, ...leanAdded, hub_cpu_ms_per_call: cpuMsPerCall[i], hub_cpu_ms_per_ping: pingCpuMs[i], added_p50_ms: r2(s.p50_ms - straight.p50_ms), added_p99_ms: r2(s.p99_ms - straight.p99_ms), added_mean_ms: r2(s.mean_ms - straight.mean_ms) }];
      })),
    };
  } finally {
    await Promise.all(clients.map(disconnect));
    await direct?.close();
    await lean?.close();
    await Promise.all(leanHubs.map((l) => l.close()));
    await Promise.all(hubs.map(stopHubProcess));
  }
}

async function main(): Promise<void> {
  const packages = process.argv.slice(2).filter((a) => a !== '--').map((a) => resolve(a));
  if (packages.length === 0) throw new Error('usage: vite-node bench/hub-compare.ts -- PACKAGE_DIR [PACKAGE_DIR…]');
  const work = await mkdtemp(join(os.tmpdir(), 'lanmcp-bench-compare-'));
  let up = false;
  try {
    const lab = await upLab({ name: LAB, devices: 1, log });
    up = true;
    const inventory = join(work, 'inventory.yaml');
    await copyFile(lab.inventory, inventory);
    // BENCH_PLAIN_HTTP=1: edges without TLS (`edge: { tls: false }`), e.g. to compare with hubs built before edge TLS.
    if (process.env.BENCH_PLAIN_HTTP) await writeFile(inventory, (await readFile(inventory, 'utf8')).replace(/^defaults:\n/m, 'defaults:\n  edge: { tls: false }\n'));
    const apply = spawnSync(process.execPath, [join(packages.at(-1)!, 'bin', 'lanmcp.mjs'), 'apply', '-i', inventory, '--yes', '--no-hub'], { encoding: 'utf8', timeout: 300_000 });
    if (apply.status !== 0) throw new Error(`lanmcp apply exited ${apply.status}:\n${apply.stderr}`);
    const token = createClientTokenStore(join(work, '.lanmcp')).create('bench');
    for (let round = 1; round <= ROUNDS; round++) {
      const result = await series(inventory, token, packages);
      const line = Object.entries(result.hubs).map(([dir, h]) => `${basename(dir)} +${h.added_p50_ms} ms p50 (lean client: +${h.lean_added_p50_ms} p50, +${h.lean_added_p99_ms} p99; +${h.added_p99_ms} p99, ${h.hub_cpu_ms_per_call} ms CPU/call, ${h.hub_cpu_ms_per_ping} per ping)`).join(', ');
      log(`round ${round}: direct p50 ${result.straight_to_edge.p50_ms} ms (${result.client_cpu_ms_per_direct_call} ms client CPU; lean client ${result.lean_client_direct.cpu_ms_per_call} ms CPU, p50 ${result.lean_client_direct.p50_ms} ms); ${line}; load ${result.load_before[0]} → ${result.load_after[0]}`);
      process.stdout.write(`${JSON.stringify({ round, calls_each: CALLS, ...result })}\n`);
    }
    if (process.env.BENCH_PROFILE) {
      for (const [i, dir] of packages.entries()) {
        const profile = await profileHub(inventory, 1, token, 'lab1', CALLS, join(process.env.BENCH_PROFILE_DIR ?? work, `cpuprof-${i}`), dir);
        process.stdout.write(`${JSON.stringify({ profile_of: dir, ...profile }, null, 1)}\n`);
      }
    }
  } finally {
    if (up) await downLab(LAB);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
