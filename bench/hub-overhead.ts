// Hub overhead (bench/hub.ts series 1): `run_command true` through `lanmcp hub` vs straight to the same edge
// (both sides over the same transport: TLS, pin, keep-alive), interleaved, with the SDK client and with a
// lean client, cold and warm, beside a bare Node hop (bench/reference-proxy.mjs); the hub's own histogram
// and CPU time per call; then a CPU profile of the hub serving the same calls, summed by package, to say
// where its time goes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  busySince, connect, cpuTicks, disconnect, expectExitZero, load, openDirect, openLean, openLeanHub, processCpuS, r2, sleep, startHubProcess, startReferenceProxy,
  stats, stopHubProcess, timed, type EdgeEndpoint, type HubProcess, type Stats,
} from './hub-process.js';

/** Sum and count of the hub's own run_command duration histogram for one device, from /metrics. */
async function hubSeen(hub: HubProcess, token: string, device: string): Promise<{ sumS: number; count: number }> {
  const text = await (await fetch(`${hub.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const value = (name: string) => Number(new RegExp(`^lanmcp_hub_call_duration_seconds_${name}\\{tool="run_command",device="${device}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sumS: value('sum'), count: value('count') };
}

/** Calls the hub's rate limit lets one token make per second (DEFAULT_RATE_LIMIT is 100): paced below it. */
const PACED_PER_S = 80;

/**
 * `run_command true` through the hub and straight to the edge, interleaved, in two stages:
 *  - cold: a freshly started hub after 20 warm-up calls — what an agent's first calls meet. Two clients:
 *    the SDK client (as an agent uses it), and a lean client (bench/hub-process.ts leanRunner) on both
 *    sides, so the difference holds nothing of the client's own stack. The reference proxy
 *    (bench/reference-proxy.mjs), a bare Node hop, is timed in the same rounds with the lean client.
 *  - warm: the same lean rounds after `warmCalls` more calls through the hub and the proxy, paced under the
 *    hub's rate limit: V8 has then optimized the request path, as in a hub that has served a while.
 */
export async function benchOverhead(hub: HubProcess, hubToken: string, edge: EdgeEndpoint, calls: number, warmCalls: number) {
  const loadBefore = load();
  const viaHub = await connect(hub.url, hubToken);
  const direct = await openDirect(edge);
  const leanDirect = openLean(edge);
  const leanHub = await openLeanHub(hub.url, hubToken, edge.name);
  const proxy = await startReferenceProxy(edge);
  const leanProxy = await openLeanHub(proxy.url, hubToken, edge.name);
  try {
    const contenders = {
      hub: () => viaHub.callTool({ name: 'run_command', arguments: { host: edge.name, argv: ['true'] } }),
      direct: () => direct.runCommand(['true']),
      lean_hub: () => leanHub.runCommand(['true']),
      lean_direct: () => leanDirect.runCommand(['true']),
      lean_proxy: () => leanProxy.runCommand(['true']),
    };
    type Name = keyof typeof contenders;
    const names = Object.keys(contenders) as Name[];
    const rounds = async (which: Name[], count: number) => {
      const times = Object.fromEntries(which.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
      for (let round = 0; round < count; round++) {
        // Rotate the order, so none always follows another's GC or timer work.
        for (let k = 0; k < which.length; k++) {
          const name = which[(round + k) % which.length]!;
          const { ms, value } = await timed(contenders[name]);
          expectExitZero(value, `run_command (${name})`);
          times[name].push(ms);
        }
      }
      return times;
    };
    for (let i = 0; i < 10; i++) for (const name of names) expectExitZero(await contenders[name](), `warm-up ${name}`);
    const seenBefore = await hubSeen(hub, hubToken, edge.name);
    const cpuBefore = processCpuS(hub.pid);
    const host = cpuTicks();
    const cold = await rounds(names, calls);
    // Two calls per round reach the hub: its CPU per call counts both.
    const hubCpuS = processCpuS(hub.pid) - cpuBefore;
    const seenAfter = await hubSeen(hub, hubToken, edge.name);
    const hostBusy = busySince(host);
    const loadCold = load();

    for (let i = 0; i < warmCalls; i++) {
      const started = performance.now();
      expectExitZero(await leanHub.runCommand(['true']), 'warming the hub');
      expectExitZero(await leanProxy.runCommand(['true']), 'warming the proxy');
      await sleep(Math.max(0, 1000 / PACED_PER_S - (performance.now() - started)));
    }
    // The bucket refills (burst 300) before the warm rounds, which call the hub about 90 times a second.
    await sleep(3000);
    const warmNames: Name[] = ['lean_hub', 'lean_direct', 'lean_proxy'];
    const warmCpuBefore = processCpuS(hub.pid);
    const warm = await rounds(warmNames, calls);
    const warmHubCpuS = processCpuS(hub.pid) - warmCpuBefore;
    const s = Object.fromEntries(names.map((name) => [name, stats(cold[name])])) as Record<Name, Stats>;
    const w = Object.fromEntries(warmNames.map((name) => [name, stats(warm[name]!)])) as Record<'lean_hub' | 'lean_direct' | 'lean_proxy', Stats>;
    const added = (a: Stats, b: Stats) => ({ added_p50_ms: r2(a.p50_ms - b.p50_ms), added_p99_ms: r2(a.p99_ms - b.p99_ms), added_mean_ms: r2(a.mean_ms - b.mean_ms) });
    const lean = (st: Record<'lean_hub' | 'lean_direct' | 'lean_proxy', Stats>, cpuS: number, load_after: number[]) => ({
      through_hub: st.lean_hub, straight_to_edge: st.lean_direct, through_reference_proxy: st.lean_proxy,
      hub: added(st.lean_hub, st.lean_direct), reference_proxy: added(st.lean_proxy, st.lean_direct),
      hub_cpu_ms_per_call: r2((cpuS * 1000) / calls), load_after,
    });
    const through = s.hub;
    const straight = s.direct;
    const seenCalls = seenAfter.count - seenBefore.count;
    const hubSeenMean = ((seenAfter.sumS - seenBefore.sumS) / seenCalls) * 1000;
    const leanCold = lean(s, hubCpuS / 2, loadCold);
    const leanWarm = { ...lean(w, warmHubCpuS, load()), warm_up_calls: warmCalls };
    return {
      calls_each: calls, device: edge.name,
      // Cold, SDK client on both sides (the hub's own upstream client straight to the edge).
      through_hub: through, straight_to_edge: straight,
      added_p50_ms: r2(through.p50_ms - straight.p50_ms), added_p99_ms: r2(through.p99_ms - straight.p99_ms), added_mean_ms: r2(through.mean_ms - straight.mean_ms),
      lean_client: { cold: leanCold, warm: leanWarm },
      hub_internals: {
        calls_counted_by_hub: seenCalls,
        // The hub's own timer (its /metrics histogram, SDK and lean calls): from its tool handler to the edge's answer.
        hub_seen_mean_ms: r2(hubSeenMean),
        // What the handler path (limiter, the lean edge call) adds over a lean call straight from here.
        handler_over_direct_mean_ms: r2(hubSeenMean - s.lean_direct.mean_ms),
        hub_cpu_ms_per_call: r2((hubCpuS * 1000) / seenCalls),
      },
      host_cpu_busy: hostBusy, load_before: loadBefore, load_after: loadCold,
    };
  } finally {
    await disconnect(viaHub);
    await direct.close();
    await leanDirect.close();
    await leanHub.close();
    await leanProxy.close();
    await proxy.stop();
  }
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** Where a profile node's self time is booked: an npm package, a part of Node core, lanmcp, or V8 itself. */
function category(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName === '(garbage collector)' ? 'V8 garbage collector' : functionName === '(idle)' ? 'idle' : 'V8/native (program, builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes('/dist/cli.mjs')) return 'lanmcp (dist/cli.mjs)';
  if (url.includes('deps/undici')) return 'node: undici (fetch, the hub\'s upstream HTTP client)';
  if (url.startsWith('node:')) return `node: ${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  return url;
}

/**
 * Self time per category and the top functions, from samples taken while the calls ran (the profile's
 * timestamps and process.hrtime share CLOCK_MONOTONIC), so start-up and shutdown are left out.
 */
function summarizeProfile(profile: CpuProfile, window: [number, number], calls: number, cpuMsPerCall: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let inWindow = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const next = profile.timeDeltas[i + 1] ?? 0;
    if (t < window[0] || t > window[1]) return;
    inWindow += 1;
    self.set(id, (self.get(id) ?? 0) + next / 1000);
  });
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    const cat = category(frame);
    categories.set(cat, (categories.get(cat) ?? 0) + ms);
    if (cat === 'idle') continue;
    const where = frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  // Sampled time counts whatever ran when the thread was descheduled (the machine is shared) and the
  // profiler's own cost, so each part is given as its share of busy samples applied to the CPU time
  // /proc measured for the process over the same calls.
  const busy = [...categories].filter(([c]) => c !== 'idle').reduce((sum, [, ms]) => sum + ms, 0);
  const part = (ms: number) => ({ share_percent: Math.round((ms / busy) * 1000) / 10, cpu_ms_per_call: Math.round((ms / busy) * cpuMsPerCall * 1000) / 1000 });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    samples_in_window: inWindow, calls, sampling_interval_us: 100,
    cpu_ms_per_call_measured: r2(cpuMsPerCall),
    by_category: Object.fromEntries(sorted(categories).filter(([c]) => c !== 'idle').map(([c, ms]) => [c, part(ms)])),
    top_functions: Object.fromEntries(sorted(functions).slice(0, 15).map(([f, ms]) => [f, part(ms)])),
  };
}

/** A second hub process under `--cpu-prof` (sampling every 100 µs) serving `calls` sequential calls. */
export async function profileHub(inventory: string, devices: number, token: string, device: string, calls: number, dir: string, packageDir?: string) {
  const hub = await startHubProcess(inventory, devices, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'], packageDir);
  let window: [number, number];
  let cpuMsPerCall: number;
  try {
    const client = await connect(hub.url, token);
    const call = () => client.callTool({ name: 'run_command', arguments: { host: device, argv: ['true'] } });
    for (let i = 0; i < 20; i++) expectExitZero(await call(), 'profile warm-up');
    const cpu0 = processCpuS(hub.pid);
    const start = Number(process.hrtime.bigint() / 1000n);
    for (let i = 0; i < calls; i++) expectExitZero(await call(), 'profiled call');
    window = [start, Number(process.hrtime.bigint() / 1000n)];
    cpuMsPerCall = ((processCpuS(hub.pid) - cpu0) * 1000) / calls;
    await disconnect(client);
  } finally {
    await stopHubProcess(hub);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the profiled hub wrote no .cpuprofile into ${dir}`);
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, window, calls, cpuMsPerCall);
  if (summary.samples_in_window < calls) throw new Error(`only ${summary.samples_in_window} profile samples fell within the ${calls} calls: the profile's clock does not match`);
  return summary;
}
