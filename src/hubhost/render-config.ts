// Pure: the inventory, the stored credentials and the client-token hashes → the hub service's config.
import { planAllowedHosts } from '../hub/http-guard.js';
import { planUpstreamSpecs } from '../hub/upstreams/specs.js';
import type { Device, EdgeDevice, ResolvedHub } from '../inventory/types.js';
import type { EdgeCredentials } from '../secrets/edge-credentials.js';
import { HUB_LAYOUT } from './layout.js';
import { SERVICE_CONFIG_FORMAT, type HubServiceConfig, type ServiceClientToken, type ServiceDevice } from './service-config.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Where the hub listens on its host. hub.listen's port is kept; a loopback address (the default
 * 127.0.0.1, meant for a hub on the admin's own machine) becomes 0.0.0.0, since a hub on a device is
 * there to be reached from the LAN. Any other address (0.0.0.0, ::, one of the device's) is used as written.
 */
export function planServiceListen(hub: Pick<ResolvedHub, 'listen_host' | 'listen_port'>): { host: string; port: number } {
  return { host: LOOPBACK.has(hub.listen_host) ? '0.0.0.0' : hub.listen_host, port: hub.listen_port };
}

export interface ServiceConfigInput {
  hub: ResolvedHub;
  hubDevice: EdgeDevice;
  devices: readonly Device[];
  groups: Record<string, string[]>;
  credentials: ReadonlyMap<string, EdgeCredentials>;
  /** `kind: mcp` credentials are read from the environment of the `lanmcp apply` that writes the config. */
  env: NodeJS.ProcessEnv;
  clientTokens: readonly ServiceClientToken[];
  tls?: { cert: string; key: string };
}

export function renderServiceConfig(input: ServiceConfigInput): HubServiceConfig {
  const { hub, hubDevice } = input;
  const listen = planServiceListen(hub);
  return {
    format: SERVICE_CONFIG_FORMAT,
    host: hubDevice.name,
    listen,
    specs: planUpstreamSpecs(input.devices, input.credentials, input.env),
    devices: input.devices.map(serviceDevice),
    groups: input.groups,
    per_device_tools: hub.per_device_tools,
    client_tokens: [...input.clientTokens].map(({ name, sha256 }) => ({ name, sha256 })).sort((a, b) => a.name.localeCompare(b.name)),
    allowed_hosts: planAllowedHosts(listen.host, hub.public_url, [hubDevice.address, hubDevice.name]),
    audit_log: HUB_LAYOUT.auditLog,
    ...(input.tls ? { tls: input.tls } : {}),
  };
}

/**
 * What the hub needs of a device, and nothing that differs between operators or checkouts (the SSH key and
 * known_hosts paths under someone's home, the inventory's path and line): the same inventory renders the
 * same config everywhere, so `diff` is in sync and apply does not restart the hub for nothing.
 */
function serviceDevice(device: Device): ServiceDevice {
  if (device.kind === 'edge') {
    const { ssh: _ssh, source: _source, ...rest } = device;
    return rest;
  }
  const { source: _source, auth: _auth, headers_env: _headers, ...rest } = device;
  return rest;
}

/** Compact: systemd loads the file as a credential, and a credential has a size limit (see plan-hub.ts). */
export function renderServiceConfigText(config: HubServiceConfig): string {
  return `${JSON.stringify(config)}\n`;
}
