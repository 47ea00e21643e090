// bench/results/hub.md from the figures bench/hub.ts measured (pure: JSON in, Markdown out).
import type { HubResults } from './hub.js';
import type { Fanout } from './hub-fanout.js';
import type { Memory } from './hub-process.js';

const met = (v: boolean | string) => (v === true ? 'met' : v === false ? '**missed**' : v);
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x} ms`);

function fanoutRows(f: Fanout): string[] {
  return [
    `| run_on_many uptime, ${f.devices} devices, **cold** (new hub process) | ${ms(f.hub_cold.p50_ms)} / ${ms(f.hub_cold.p99_ms)} | ansible cold ${ms(f.ansible_cold.p50_ms)}; direct cold ${ms(f.direct_cold_open_sessions_then_uptime.p50_ms)} | ${f.ratio_ansible_over_hub.cold}× |`,
    `| run_on_many uptime, ${f.devices} devices, **warm** (default max_parallel 16) | ${ms(f.hub_warm.p50_ms)} / ${ms(f.hub_warm.p99_ms)} | ansible warm ${ms(f.ansible_warm.p50_ms)} | ${f.ratio_ansible_over_hub.warm}× |`,
    `| run_on_many uptime, ${f.devices} devices, warm, max_parallel ${f.devices} | ${ms(f.hub_warm_max_parallel_all.p50_ms)} / ${ms(f.hub_warm_max_parallel_all.p99_ms)} | direct warm (all at once) ${ms(f.direct_warm.p50_ms)} | |`,
  ];
}

const memRow = (label: string, m: Memory) => `| ${label} | ${m.rss_mb} | ${m.pss_anon_mb} | ${m.peak_rss_mb} |`;

function memoryTable(title: string, m: HubResults['memory']): string[] {
  return [
    `| ${title} | RSS MB | Pss_Anon MB | peak RSS MB |`,
    '|---|---|---|---|',
    memRow('idle after start (health checks, one MCP session per edge opened at start)', m.idle_after_start),
    memRow(`idle, an MCP session open to each of the ${m.edges} edges`, m.idle_with_every_edge_session_open),
    memRow('right after the throughput series (50 client sessions open)', m.right_after_throughput_50_sessions_open),
    memRow('5 s after the clients closed their sessions', m.after_throughput_sessions_closed_5s),
    memRow('after a forced full GC', m.after_forced_full_gc),
  ];
}

/** Series whose 1-minute load average was above twice the core count at their start or end. */
function disturbed(j: HubResults): string[] {
  const series: Array<[string, { load_before: number[]; load_after: number[] } | undefined]> = [
    ['overhead', j.overhead], ['fan-out 20', j.fanout_20], ['fan-out 50', j.fanout_50], ['throughput', j.throughput],
  ];
  return series.flatMap(([name, s]) => {
    if (!s) return [];
    const peak = Math.max(s.load_before[0] ?? 0, s.load_after[0] ?? 0);
    return peak > 2 * j.machine.cores ? [`${name} (load ${s.load_before[0]} → ${s.load_after[0]})`] : [];
  });
}

export function renderMarkdown(j: HubResults): string {
  const o = j.overhead;
  const p = j.overhead_cpu_profile;
  const t = j.throughput;
  const d = j.throughput.straight_to_edges;
  const heap = j.memory.v8_heap_after_throughput;
  const m = j.machine;
  return [
    `# Hub benchmark: overhead, fan-out vs Ansible, throughput, memory (${j.lab.devices} lab devices)`,
    '',
    `${j.date}, ${m.cores} cores (${m.cpu_model}), Node ${m.node_bench_and_hub} (hub), ${m.node_on_devices} (edges), Ansible ${m.ansible} (${m.ansible_core}); load average ${m.load_avg_start.join(' / ')} at start, ${m.load_avg_end.join(' / ')} at end (other labs present: ${m.other_labs_present_at_start.join(', ') || 'none'}). Produced by \`npx vite-node bench/hub.ts\`; hub.json has every series with its load average before and after. The hub runs as \`lanmcp hub\` in its own process; clients are SDK Clients over Streamable HTTP.`,
    '',
    ...(disturbed(j).length > 0 ? [`**Disturbed by load:** ${disturbed(j).join(', ')} — on ${m.cores} cores. The load average rose during these series (the lab's own devices, Ansible's forks, other processes on the machine: \`other labs present\` above says whether another lab ran); absolute times are inflated for the hub, the edges and Ansible alike, and a single-threaded hub gets a small share of the CPU (see "Where the hub's time goes"). Each baseline ran interleaved with its lanmcp series, so the ratios compare like with like.`, ''] : []),
    '| series | lanmcp p50 / p99 | baseline (p50) | Ansible / hub |',
    '|---|---|---|---|',
    `| run_command true through a fresh hub, SDK client (${o.calls_each} calls, interleaved) | ${o.through_hub.p50_ms} / ${o.through_hub.p99_ms} ms | straight to the edge ${o.straight_to_edge.p50_ms} / ${o.straight_to_edge.p99_ms} ms; **added p50 ${o.added_p50_ms} ms** | |`,
    ...(['cold', 'warm'] as const).map((stage) => {
      const l = o.lean_client[stage];
      const what = stage === 'cold' ? 'a fresh hub' : `the hub after ${o.lean_client.warm.warm_up_calls} more calls (warm)`;
      return `| run_command true through ${what}, lean client | ${l.through_hub.p50_ms} / ${l.through_hub.p99_ms} ms | straight to the edge ${l.straight_to_edge.p50_ms} / ${l.straight_to_edge.p99_ms} ms; **added p50 ${l.hub.added_p50_ms} ms** (a bare Node hop, bench/reference-proxy.mjs: +${l.reference_proxy.added_p50_ms} ms) | |`;
    }),
    ...fanoutRows(j.fanout_20),
    ...(j.fanout_50 ? fanoutRows(j.fanout_50) : []),
    `| throughput: ${t.clients} clients × run_command true on ${t.devices} devices, ${t.duration_s} s | ${t.latency.p50_ms} / ${t.latency.p99_ms} ms; **${t.calls_per_s} calls/s, ${t.errors} errors** | straight to the edges: ${d ? `${d.calls_per_s} calls/s, p50 ${d.latency.p50_ms} ms, ${d.errors} errors` : '—'} | |`,
    '',
    '## Where the hub\'s time goes',
    '',
    `Overhead series: the hub's /metrics histogram puts ${o.hub_internals.hub_seen_mean_ms} ms (mean) between its tool handler and the edge's answer, against ${o.lean_client.cold.straight_to_edge.mean_ms} ms for a lean call straight to the edge: the handler path adds ${o.hub_internals.handler_over_direct_mean_ms} ms. The hub process used ${o.hub_internals.hub_cpu_ms_per_call} ms of CPU per call cold, ${o.lean_client.warm.hub_cpu_ms_per_call} ms warm. The lean client is one keep-alive POST on node:http and the same on both sides of each difference; the reference proxy shows what the extra hop alone costs on this machine.`,
    '',
    `CPU profile of a second hub process serving ${p.calls} sequential calls (\`--cpu-prof\`, a sample every ${p.sampling_interval_us} µs, only while the calls ran; ${p.samples_in_window} samples). That process used ${p.cpu_ms_per_call_measured} ms of CPU per call (/proc); each part below is its share of the busy samples applied to that figure.`,
    '',
    '| self time by package | share | ≈ CPU ms per call |',
    '|---|---|---|',
    ...Object.entries(p.by_category).slice(0, 14).map(([k, v]) => `| ${k} | ${v.share_percent} % | ${v.cpu_ms_per_call} |`),
    '',
    '| top functions (self time) | share | ≈ CPU ms per call |',
    '|---|---|---|',
    ...Object.entries(p.top_functions).slice(0, 12).map(([k, v]) => `| \`${k}\` | ${v.share_percent} % | ${v.cpu_ms_per_call} |`),
    '',
    `Throughput series CPU: hub ${t.hub_cpu_ms_per_call} ms per call (${t.hub_cpu_cores_used} cores), the 20 edges with their \`true\` processes ${t.edges_cpu_ms_per_call} ms per call (${t.edges_cpu_cores_used} cores), the load generator ${t.load_generator_cpu_cores_used} cores; host CPU busy ${t.host_cpu_busy.map((b) => `${Math.round(b * 100)} %`).join(', ')} per segment.`,
    '',
    '## Hub memory',
    '',
    ...memoryTable(`\`lanmcp hub\`, ${j.memory.edges} edges`, j.memory),
    '',
    ...memoryTable('same, `node --max-semi-space-size=1`', j.memory_with_max_semi_space_1mb),
    '',
    `The \`--max-semi-space-size=1\` hub's throughput series (hub only, ${j.memory_with_max_semi_space_1mb.throughput_through_hub.duration_s} s): ${j.memory_with_max_semi_space_1mb.throughput_through_hub.calls_per_s} calls/s, p50 ${j.memory_with_max_semi_space_1mb.throughput_through_hub.latency.p50_ms} ms, ${j.memory_with_max_semi_space_1mb.throughput_through_hub.errors} errors${j.memory_with_max_semi_space_1mb.throughput_through_hub.first_errors.length > 0 ? ` (${j.memory_with_max_semi_space_1mb.throughput_through_hub.first_errors.join('; ')})` : ''}.`,
    '',
    `V8 after the throughput series: heap ${heap.before_gc.heap_total_mb} MB committed (${heap.before_gc.heap_used_mb} used; new space ${heap.before_gc.spaces_mb.new_space?.size ?? '?'} MB), external ${heap.before_gc.external_mb} MB; after a full GC ${heap.after_gc.heap_used_mb} MB used of ${heap.after_gc.heap_total_mb} MB.`,
    `For scale: a bare Node HTTP server ${j.memory_baselines.bare_node_http_server.rss_mb} MB RSS (${j.memory_baselines.bare_node_http_server.pss_anon_mb} anon); Node importing only node-ssh ${j.memory_baselines.node_importing_only_node_ssh.rss_mb} MB (${j.memory_baselines.node_importing_only_node_ssh.pss_anon_mb} anon); importing fastify + the MCP SDK ${j.memory_baselines.node_importing_fastify_and_mcp_sdk.rss_mb} MB (${j.memory_baselines.node_importing_fastify_and_mcp_sdk.pss_anon_mb} anon).`,
    '',
    '## Targets',
    '',
    '| target | |',
    '|---|---|',
    ...Object.entries(j.targets).map(([k, v]) => `| ${k} | ${met(v)} |`),
    '',
  ].join('\n');
}
