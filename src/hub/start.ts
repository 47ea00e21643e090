import { hostname, networkInterfaces } from 'node:os';
import { loadInventory } from '../inventory/load.js';
import type { Device, ResolvedHub } from '../inventory/types.js';
import { formatDiagnostic, hasErrors } from '../shared/diagnostics.js';
import { LanmcpError } from '../shared/errors.js';
import { createClientTokenStore, type ClientTokenStore } from '../secrets/client-tokens.js';
import { createTokenStore } from '../secrets/token-store.js';
import { buildHub, type HubOptions } from './app.js';
import { planAllowedHosts } from './http-guard.js';
import { planUpstreamSpecs } from './upstreams/specs.js';
import type { UpstreamStatus } from './upstreams/types.js';
import { stateDirOf } from '../inventory/paths.js';

export interface RunningHub {
  /** `http://127.0.0.1:8765/mcp`: what clients connect to. */
  url: string;
  /** Upstream status after the first health checks. */
  upstreams(): UpstreamStatus[];
  /** Closes sessions and upstream connections, then the listener. */
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one) and waits for the first health check of every upstream. */
export async function startHub(options: HubOptions & { host: string; port: number }): Promise<RunningHub> {
  const app = buildHub(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (cause) {
    await app.close();
    throw new LanmcpError('E_HUB_LISTEN', `the hub cannot listen on ${options.host}:${options.port}: ${(cause as Error).message}`, {
      hint: 'pick another address with --listen HOST:PORT (or hub.listen in the inventory)', cause,
    });
  }
  await app.hub.runtime.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // A wildcard listener is reached through loopback; an IPv6 address needs brackets in a URL.
  const reachable = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    url: `http://${host}:${port}/mcp`,
    upstreams: () => [...app.hub.runtime.upstreams.values()].map((u) => u.status()),
    close: () => app.close(),
  };
}

export interface LoadedHub {
  options: HubOptions & { host: string; port: number };
  hub: ResolvedHub;
  devices: Device[];
  stateDir: string;
  clientTokens: ClientTokenStore;
}

/**
 * Hub options from an inventory: edge tokens from `.lanmcp/tokens/`, client tokens from
 * `.lanmcp/clients.json`, `kind: mcp` credentials from the environment. `listen` overrides hub.listen.
 */
export async function loadHubOptions(file: string, env: NodeJS.ProcessEnv, options: { cwd?: string; listen?: { host: string; port: number } } = {}): Promise<LoadedHub> {
  const { listen } = options;
  const cwd = options.cwd ?? process.cwd();
  const inventory = await loadInventory(file, { cwd, ...(env.HOME ? { homeDir: env.HOME } : {}) });
  if (hasErrors(inventory.diagnostics) || !inventory.devices || !inventory.hub) {
    const first = inventory.diagnostics.find((d) => d.severity === 'error');
    throw new LanmcpError('E_INVENTORY_INVALID', `${file} is invalid${first ? `: ${formatDiagnostic(first)}` : ''}`, { hint: `run \`lanmcp validate -i ${file}\`` });
  }
  const stateDir = stateDirOf(file, cwd);
  const edgeTokens = createTokenStore(stateDir);
  const tokens = new Map<string, string | undefined>();
  for (const device of inventory.devices) if (device.kind === 'edge') tokens.set(device.name, await edgeTokens.read(device.name));
  const hub = inventory.hub;
  const host = listen?.host ?? hub.listen_host;
  const clientTokens = createClientTokenStore(stateDir);
  return {
    hub, devices: inventory.devices, stateDir, clientTokens,
    options: {
      host, port: listen?.port ?? hub.listen_port,
      specs: planUpstreamSpecs(inventory.devices, tokens, env),
      devices: inventory.devices, groups: inventory.groups ?? {}, perDeviceTools: hub.per_device_tools,
      auth: clientTokens, allowedHosts: planAllowedHosts(host, hub.public_url, wildcardNames(host)), auditLog: hub.audit_log,
    },
  };
}

/**
 * A hub listening on every interface is reached by this machine's addresses and name; those are not
 * rebinding risks (an attacker's page uses its own host name), so they are allowed too.
 */
function wildcardNames(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, '')));
  return [...addresses, hostname()];
}
