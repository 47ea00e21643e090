import type { Device } from '../inventory/types.js';
import type { AuditLog } from './audit.js';
import type { Metrics } from './metrics.js';
import { planCatalog, type HubCatalog } from './tools/catalog.js';
import { createUpstream, type Upstream } from './upstreams/upstream.js';
import { DEFAULT_TIMING, type UpstreamSpec, type UpstreamTiming } from './upstreams/types.js';

export interface RuntimeOptions {
  specs: UpstreamSpec[];
  /** For run_on_many's target selection. */
  devices: Device[];
  groups: Record<string, string[]>;
  perDeviceTools: boolean;
  /** Test mode (conformance): re-expose this one upstream under unchanged names. */
  passthrough?: string;
  timing?: Partial<UpstreamTiming>;
  audit: AuditLog;
  metrics: Metrics;
}

export type RuntimeEvent = { type: 'tools_changed' } | { type: 'list_changed'; kind: 'resources' | 'prompts' } | { type: 'resource_updated'; uri: string };

/** Everything sessions share: the upstreams, the current tool catalog, audit and metrics. */
export function createHubRuntime(options: RuntimeOptions) {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const listeners = new Set<(event: RuntimeEvent) => void>();
  const emit = (event: RuntimeEvent) => { for (const l of listeners) l(event); };
  let catalog: HubCatalog | undefined;
  let warming: Promise<unknown> | undefined;
  const upstreams = new Map<string, Upstream>();
  for (const spec of options.specs) {
    upstreams.set(spec.name, createUpstream(spec, timing, {
      onToolsChanged: () => { catalog = undefined; emit({ type: 'tools_changed' }); },
      onListChanged: (kind) => emit({ type: 'list_changed', kind }),
      onResourceUpdated: (uri) => emit({ type: 'resource_updated', uri }),
    }));
  }

  return {
    options,
    upstreams,
    audit: options.audit,
    metrics: options.metrics,
    /** Rebuilt lazily after an upstream's tool list changed. */
    catalog(): HubCatalog {
      catalog ??= planCatalog({
        specs: options.specs,
        upstreamTools: new Map([...upstreams.values()].filter((u) => u.kind === 'mcp').map((u) => [u.name, u.tools()])),
        perDeviceTools: options.perDeviceTools,
        ...(options.passthrough !== undefined ? { passthrough: options.passthrough } : {}),
      });
      return catalog;
    },
    /** `kind: mcp` upstreams (the ones with resources and prompts), or just the passthrough one. */
    mcpUpstreams(): Upstream[] {
      return [...upstreams.values()].filter((u) => u.kind === 'mcp' && (options.passthrough === undefined || u.name === options.passthrough));
    },
    subscribe(listener: (event: RuntimeEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /**
     * Runs every upstream's first health check in parallel (down ones keep retrying in the background),
     * then opens one MCP session to each edge that is up, so the first call or fan-out after start
     * costs what later ones do (an edge's health check is plain HTTP and opens none).
     */
    async start(): Promise<void> {
      await Promise.all([...upstreams.values()].map((u) => u.start()));
      warming ??= Promise.all([...upstreams.values()]
        .filter((u) => u.kind === 'edge' && u.status().status === 'up')
        .map((u) => u.request(async () => undefined, {}).catch(() => undefined)));
      await warming;
    },
    async close(): Promise<void> {
      listeners.clear();
      await Promise.all([...upstreams.values()].map((u) => u.close()));
    },
  };
}

export type HubRuntime = ReturnType<typeof createHubRuntime>;
