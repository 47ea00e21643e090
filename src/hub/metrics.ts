// Prometheus text exposition of what the hub does: calls, errors, latency per tool and device, in-flight
// calls and upstream health. Plain counters in memory; `renderMetrics` is pure.

const BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Series {
  calls: number;
  errors: number;
  sumS: number;
  /** Calls per bucket of BUCKETS_S: each call counts in the first bucket it fits (cumulated when rendered). */
  buckets: number[];
}

export interface UpstreamGauge {
  name: string;
  kind: 'edge' | 'mcp';
  up: boolean;
  latencyMs?: number;
}

export function createMetrics() {
  const series = new Map<string, Series>();
  let inFlight = 0;
  return {
    /** `outcome` error covers isError results and failed calls alike. */
    recordCall(tool: string, device: string, outcome: 'ok' | 'error', durationMs: number): void {
      const key = `${tool}\u0000${device}`;
      let s = series.get(key);
      if (!s) series.set(key, (s = { calls: 0, errors: 0, sumS: 0, buckets: BUCKETS_S.map(() => 0) }));
      const seconds = durationMs / 1000;
      s.calls += 1;
      if (outcome === 'error') s.errors += 1;
      s.sumS += seconds;
      // One bucket per call, found with a plain loop: this runs on every call, often in cold code.
      let i = 0;
      while (i < BUCKETS_S.length && seconds > BUCKETS_S[i]!) i += 1;
      if (i < BUCKETS_S.length) s.buckets[i]! += 1;
    },
    enter(): void { inFlight += 1; },
    leave(): void { inFlight -= 1; },
    render(upstreams: readonly UpstreamGauge[], sessions: number): string {
      return renderMetrics([...series.entries()].map(([k, s]) => ({ tool: k.split('\u0000')[0]!, device: k.split('\u0000')[1]!, ...s })), inFlight, sessions, upstreams);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(rows: (Series & { tool: string; device: string })[], inFlight: number, sessions: number, upstreams: readonly UpstreamGauge[]): string {
  const out: string[] = [];
  const l = (r: { tool: string; device: string }) => `tool="${label(r.tool)}",device="${label(r.device)}"`;
  out.push('# HELP lanmcp_hub_calls_total Tool calls handled, by tool and device.', '# TYPE lanmcp_hub_calls_total counter');
  for (const r of rows) out.push(`lanmcp_hub_calls_total{${l(r)}} ${r.calls}`);
  out.push('# HELP lanmcp_hub_call_errors_total Tool calls that ended in an error result or failure.', '# TYPE lanmcp_hub_call_errors_total counter');
  for (const r of rows) out.push(`lanmcp_hub_call_errors_total{${l(r)}} ${r.errors}`);
  out.push('# HELP lanmcp_hub_call_duration_seconds Tool call latency seen by the hub.', '# TYPE lanmcp_hub_call_duration_seconds histogram');
  for (const r of rows) {
    let cumulative = 0;
    BUCKETS_S.forEach((b, i) => out.push(`lanmcp_hub_call_duration_seconds_bucket{${l(r)},le="${b}"} ${(cumulative += r.buckets[i]!)}`));
    out.push(`lanmcp_hub_call_duration_seconds_bucket{${l(r)},le="+Inf"} ${r.calls}`);
    out.push(`lanmcp_hub_call_duration_seconds_sum{${l(r)}} ${r.sumS}`, `lanmcp_hub_call_duration_seconds_count{${l(r)}} ${r.calls}`);
  }
  out.push('# HELP lanmcp_hub_in_flight_calls Tool calls currently running.', '# TYPE lanmcp_hub_in_flight_calls gauge', `lanmcp_hub_in_flight_calls ${inFlight}`);
  out.push('# HELP lanmcp_hub_sessions Open MCP sessions.', '# TYPE lanmcp_hub_sessions gauge', `lanmcp_hub_sessions ${sessions}`);
  out.push('# HELP lanmcp_hub_upstream_up 1 when the upstream answers its health check.', '# TYPE lanmcp_hub_upstream_up gauge');
  for (const u of upstreams) out.push(`lanmcp_hub_upstream_up{device="${label(u.name)}",kind="${u.kind}"} ${u.up ? 1 : 0}`);
  out.push('# HELP lanmcp_hub_upstream_latency_seconds Latency of the last successful health check.', '# TYPE lanmcp_hub_upstream_latency_seconds gauge');
  for (const u of upstreams) if (u.latencyMs !== undefined) out.push(`lanmcp_hub_upstream_latency_seconds{device="${label(u.name)}",kind="${u.kind}"} ${u.latencyMs / 1000}`);
  return `${out.join('\n')}\n`;
}
