// Throughput and memory (bench/hub.ts series 3 and 4): one `lanmcp hub` with every lab edge; its memory
// idle, with an MCP session open to every edge, right after 50 concurrent clients called `run_command true`
// on 20 devices (interleaved with the same load sent straight to the edges), and after a forced full GC.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  busySince, connect, cpuTicks, disconnect, edgesCpuS, expectAllRows, expectExitZero, heapProbe, HEAP_PROBE_FLAGS, load, log, memoryOf,
  openDirect, processCpuS, r2, sleep, startHubProcess, stats, stopHubProcess, timed, type CallResult, type EdgeEndpoint,
} from './hub-process.js';

interface Segment { latencies: number[]; errors: string[]; wallS: number }

/** Every caller loops until the deadline, one call at a time; errors are counted, never thrown. */
async function loadSegment(callers: Array<(k: number) => Promise<CallResult>>, seconds: number): Promise<Segment> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(callers.map(async (call, i) => {
    for (let k = 0; performance.now() < deadline; k++) {
      try {
        const { ms, value } = await timed(() => call(k));
        expectExitZero(value, `client ${i + 1} call ${k + 1}`);
        latencies.push(ms);
      } catch (error) {
        errors.push((error as Error).message.slice(0, 300));
      }
    }
  }));
  return { latencies, errors, wallS: (performance.now() - started) / 1000 };
}

interface Cost { hubCpuS: number; edgesCpuS: number; ownCpuS: number; busy: number[] }

function summarize(segments: Segment[], clients: number, devices: number, cost?: Cost) {
  const latencies = segments.flatMap((s) => s.latencies);
  const errors = segments.flatMap((s) => s.errors);
  const wallS = segments.reduce((sum, s) => sum + s.wallS, 0);
  const calls = latencies.length;
  const perCall = (s: number) => r2((s * 1000) / Math.max(1, calls));
  return {
    clients, devices, duration_s: r2(wallS), calls, calls_per_s: r2(calls / wallS), latency: stats(latencies),
    errors: errors.length, first_errors: [...new Set(errors)].slice(0, 5),
    ...(cost ? {
      hub_cpu_ms_per_call: perCall(cost.hubCpuS), hub_cpu_cores_used: r2(cost.hubCpuS / wallS),
      edges_cpu_ms_per_call: perCall(cost.edgesCpuS), edges_cpu_cores_used: r2(cost.edgesCpuS / wallS),
      load_generator_cpu_cores_used: r2(cost.ownCpuS / wallS),
    } : {}),
  };
}

/** Runs a segment and books the CPU the hub, the edges and this process used during it. */
async function measured(hubPid: number | undefined, cost: Cost, run: () => Promise<Segment>): Promise<Segment> {
  const hub0 = hubPid === undefined ? 0 : processCpuS(hubPid);
  const edges0 = edgesCpuS();
  const own0 = process.cpuUsage();
  const host = cpuTicks();
  const segment = await run();
  const own = process.cpuUsage(own0);
  cost.hubCpuS += hubPid === undefined ? 0 : processCpuS(hubPid) - hub0;
  cost.edgesCpuS += edgesCpuS() - edges0;
  cost.ownCpuS += (own.user + own.system) / 1e6;
  cost.busy.push(busySince(host));
  return segment;
}

/**
 * `clients` hub sessions (each its own client token, so the per-token rate limit is not what is measured)
 * call run_command on the 20 devices in turn; the baseline is the same number of clients straight to the
 * edges (client i to edge i mod 20). Hub and baseline alternate in `rounds` segments each.
 */
async function benchThroughput(hubUrl: string, hubPid: number, tokens: string[], edges: EdgeEndpoint[], seconds: number, rounds: number) {
  const loadBefore = load();
  const hubClients = await Promise.all(tokens.map((token) => connect(hubUrl, token)));
  const directClients = rounds > 0 && edges.length > 0 ? await Promise.all(tokens.map((_, i) => openDirect(edges[i % edges.length]!))) : [];
  const hubCallers = hubClients.map((c, i) => (k: number) => c.callTool({ name: 'run_command', arguments: { host: edges[(i + k) % edges.length]!.name, argv: ['true'] } }));
  const directCallers = directClients.map((c) => () => c.runCommand(['true']));
  const hubCost: Cost = { hubCpuS: 0, edgesCpuS: 0, ownCpuS: 0, busy: [] };
  const directCost: Cost = { hubCpuS: 0, edgesCpuS: 0, ownCpuS: 0, busy: [] };
  const hubSegments: Segment[] = [];
  const directSegments: Segment[] = [];
  const each = seconds / Math.max(1, rounds);
  for (let round = 0; round < Math.max(1, rounds); round++) {
    hubSegments.push(await measured(hubPid, hubCost, () => loadSegment(hubCallers, each)));
    if (directCallers.length > 0) directSegments.push(await measured(undefined, directCost, () => loadSegment(directCallers, each)));
  }
  await Promise.all(directClients.map((d) => d.close()));
  return {
    result: {
      through_hub: { ...summarize(hubSegments, tokens.length, edges.length, hubCost), host_cpu_busy: hubCost.busy },
      ...(directSegments.length > 0 ? { straight_to_edges: { ...summarize(directSegments, tokens.length, edges.length, directCost), host_cpu_busy: directCost.busy } } : {}),
      sessions: 'one per client; each client its own token', segments_each: Math.max(1, rounds), load_before: loadBefore, load_after: load(),
    },
    hubClients,
  };
}

/**
 * One `lanmcp hub` with every lab edge, started with the heap probe (and `nodeFlags`, e.g. a smaller young
 * generation): memory idle, after an MCP session opened to every edge, throughput, and after.
 */
export async function benchHubMemory(inventory: string, devices: number, token: string, tokens: string[], edges20: EdgeEndpoint[], options: { seconds: number; rounds: number; nodeFlags: string[] }) {
  const hub = await startHubProcess(inventory, devices, [...HEAP_PROBE_FLAGS, ...options.nodeFlags]);
  try {
    await sleep(3000);
    const idleStart = memoryOf(hub.pid);
    const client = await connect(hub.url, token);
    // One pooled MCP session to every edge (max_parallel = devices), as a hub in use has.
    expectAllRows(await client.callTool({ name: 'run_on_many', arguments: { target: 'all', argv: ['true'], max_parallel: devices } }), devices);
    await disconnect(client);
    await sleep(5000);
    const idleConnected = memoryOf(hub.pid);
    log(`hub ${options.nodeFlags.join(' ') || '(default flags)'} with ${devices} edges: idle ${idleStart.rss_mb} MB RSS, every edge open ${idleConnected.rss_mb} MB RSS (${idleConnected.pss_anon_mb} MB anon)`);
    const { result: throughput, hubClients } = await benchThroughput(hub.url, hub.pid, tokens, edges20, options.seconds, options.rounds);
    const afterSeries = memoryOf(hub.pid);
    await Promise.all(hubClients.map((c: Client) => disconnect(c)));
    await sleep(5000);
    const afterClose = memoryOf(hub.pid);
    const heap = await heapProbe(hub);
    await sleep(1000);
    const afterGc = memoryOf(hub.pid);
    const t = throughput.through_hub;
    log(`throughput: ${t.calls_per_s} calls/s, p50 ${t.latency.p50_ms} ms, p99 ${t.latency.p99_ms} ms, ${t.errors} errors; hub RSS right after ${afterSeries.rss_mb} MB, after a full GC ${afterGc.rss_mb} MB`);
    return {
      throughput,
      memory: {
        edges: devices, node_flags: [...options.nodeFlags], process: 'lanmcp hub (node bin/lanmcp.mjs hub), its own process; the heap probe is loaded with --import',
        idle_after_start: idleStart, idle_with_every_edge_session_open: idleConnected,
        right_after_throughput_50_sessions_open: afterSeries, after_throughput_sessions_closed_5s: afterClose, after_forced_full_gc: afterGc,
        v8_heap_after_throughput: heap,
      },
    };
  } finally {
    await stopHubProcess(hub);
  }
}

export type HubMemory = Awaited<ReturnType<typeof benchHubMemory>>;
