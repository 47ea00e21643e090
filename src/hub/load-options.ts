import { hostname, networkInterfaces } from 'node:os';
import { loadInventory } from '../inventory/load.js';
import { stateDirOf } from '../inventory/paths.js';
import type { Device, ResolvedHub } from '../inventory/types.js';
import { createClientTokenStore, type ClientTokenStore } from '../secrets/client-tokens.js';
import { readEdgeCredentials } from '../secrets/edge-credentials.js';
import { formatDiagnostic, hasErrors } from '../shared/diagnostics.js';
import { LanmcpError } from '../shared/errors.js';
import type { HubOptions } from './app.js';
import { planAllowedHosts } from './http-guard.js';
import { loadHubTls } from './listener-tls.js';
import { planUpstreamSpecs } from './upstreams/specs.js';

export interface LoadedHub {
  options: HubOptions & { host: string; port: number };
  hub: ResolvedHub;
  devices: Device[];
  stateDir: string;
  clientTokens: ClientTokenStore;
}

/**
 * Hub options from an inventory: edge credentials from `.lanmcp/`, client tokens from
 * `.lanmcp/clients.json`, `kind: mcp` credentials from the environment, the listener's certificate and
 * key from hub.tls (checked: a bad file is an error naming it). `listen` overrides hub.listen.
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
  const credentials = await readEdgeCredentials(stateDir, inventory.devices);
  const hub = inventory.hub;
  const host = listen?.host ?? hub.listen_host;
  const clientTokens = createClientTokenStore(stateDir);
  const tls = hub.tls ? await loadHubTls(hub.tls) : undefined;
  return {
    hub, devices: inventory.devices, stateDir, clientTokens,
    options: {
      host, port: listen?.port ?? hub.listen_port,
      specs: planUpstreamSpecs(inventory.devices, credentials, env),
      devices: inventory.devices, groups: inventory.groups ?? {}, perDeviceTools: hub.per_device_tools,
      auth: clientTokens, allowedHosts: planAllowedHosts(host, hub.public_url, wildcardNames(host)), auditLog: hub.audit_log,
      ...(tls ? { tls } : {}),
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
