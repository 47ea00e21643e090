// Hub overhead (bench/hub.ts series 1): `run_command true` through `lanmcp hub` vs straight to the same edge
// with the hub's own upstream client (so both sides use the same transport: TLS, pin, keep-alive agent),
// interleaved; the hub's own histogram and CPU time per call; then a CPU profile of the hub serving the
// same calls, summed by package, to say where its time goes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  busySince, connect, cpuTicks, disconnect, expectExitZero, load, openDirect, processCpuS, r2, startHubProcess, stats, stopHubProcess, timed,
  type EdgeEndpoint, type HubProcess,
} from './hub-process.js';

/** Sum and count of the hub's own run_command duration histogram for one device, from /metrics. */
async function hubSeen(hub: HubProcess, token: string, device: string): Promise<{ sumS: number; count: number }> {
  const text = await (await fetch(`${hub.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const value = (name: string) => Number(new RegExp(`^lanmcp_hub_call_duration_seconds_${name}\\{tool="run_command",device="${device}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sumS: value('sum'), count: value('count') };
}

export async function benchOverhead(hub: HubProcess, hubToken: string, edge: EdgeEndpoint, calls: number) {
  const loadBefore = load();
  const viaHub = await connect(hub.url, hubToken);
  const direct = await openDirect(edge);
  const contenders = {
    hub: () => viaHub.callTool({ name: 'run_command', arguments: { host: edge.name, argv: ['true'] } }),
    direct: () => direct.runCommand(['true']),
  };
  for (let i = 0; i < 20; i++) for (const [name, call] of Object.entries(contenders)) expectExitZero(await call(), `warm-up ${name}`);
  const times = { hub: [] as number[], direct: [] as number[] };
  const seenBefore = await hubSeen(hub, hubToken, edge.name);
  const cpuBefore = processCpuS(hub.pid);
  const host = cpuTicks();
  for (let round = 0; round < calls; round++) {
    // Alternate which goes first, so neither always follows the other's GC or timer work.
    const order = round % 2 ? (['hub', 'direct'] as const) : (['direct', 'hub'] as const);
    for (const name of order) {
      const { ms, value } = await timed(contenders[name]);
      expectExitZero(value, `run_command (${name})`);
      times[name].push(ms);
    }
  }
  const hubCpuS = processCpuS(hub.pid) - cpuBefore;
  const seenAfter = await hubSeen(hub, hubToken, edge.name);
  const hostBusy = busySince(host);
  await disconnect(viaHub);
  await direct.close();
  const through = stats(times.hub);
  const straight = stats(times.direct);
  const seenCalls = seenAfter.count - seenBefore.count;
  const hubSeenMean = ((seenAfter.sumS - seenBefore.sumS) / seenCalls) * 1000;
  return {
    calls_each: calls, device: edge.name,
    through_hub: through, straight_to_edge: straight,
    added_p50_ms: r2(through.p50_ms - straight.p50_ms), added_p99_ms: r2(through.p99_ms - straight.p99_ms), added_mean_ms: r2(through.mean_ms - straight.mean_ms),
    hub_internals: {
      calls_counted_by_hub: seenCalls,
      // The hub's own timer (its /metrics histogram): from its tool handler to the edge's answer.
      hub_seen_mean_ms: r2(hubSeenMean),
      // What the handler path (pool, limiter, the upstream SDK client) adds over a direct call from here.
      handler_over_direct_mean_ms: r2(hubSeenMean - straight.mean_ms),
      // The rest: the hub's HTTP server, auth, session routing and JSON-RPC toward the client.
      front_over_handler_mean_ms: r2(through.mean_ms - hubSeenMean),
      hub_cpu_ms_per_call: r2((hubCpuS * 1000) / calls),
    },
    host_cpu_busy: hostBusy, load_before: loadBefore, load_after: load(),
  };
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
