import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../upstreams/upstream.js';
import type { HubCatalog } from './catalog.js';
import { textResult } from './call-context.js';

/** One row of network_resources: what the agent needs to pick a host and judge whether it will answer. */
export function describeUpstream(upstream: Upstream, catalog: HubCatalog): Record<string, unknown> {
  const { spec } = upstream;
  const status = upstream.status();
  const tools = spec.kind === 'edge' ? spec.enabledTools
    : [...catalog.routes.entries()].filter(([, r]) => r.kind === 'upstream' && r.device === spec.name).map(([name]) => name);
  return {
    name: spec.name, kind: spec.kind,
    ...(spec.kind === 'edge' ? { address: spec.address } : { url: spec.url }),
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags, groups: spec.groups,
    status: status.status, ...(status.since ? { since: status.since } : {}), ...(status.last_seen ? { last_seen: status.last_seen } : {}),
    ...(status.latency_ms !== undefined ? { latency_ms: status.latency_ms } : {}),
    ...(status.version ? { version: status.version } : {}), ...(status.error ? { error: status.error } : {}),
    tools,
    ...(catalog.skipped.some((s) => s.device === spec.name) ? { skipped_tools: catalog.skipped.filter((s) => s.device === spec.name) } : {}),
  };
}

export function networkResources(upstreams: readonly Upstream[], catalog: HubCatalog): CallToolResult {
  const devices = upstreams.map((u) => describeUpstream(u, catalog));
  const lines = devices.map((d) => {
    const where = (d.address ?? d.url) as string;
    const health = d.status === 'up' ? `up${d.latency_ms !== undefined ? ` ${d.latency_ms} ms` : ''}` : `${d.status}${d.error ? ` (${d.error})` : ''}`;
    return `${d.name} [${d.kind}] ${where} · ${health}${d.version ? ` · v${d.version}` : ''}${(d.tags as string[]).length ? ` · tags ${(d.tags as string[]).join(',')}` : ''}${d.description ? ` · ${d.description}` : ''}`;
  });
  return textResult(lines.length > 0 ? lines.join('\n') : 'no devices in the inventory', false, { devices });
}
