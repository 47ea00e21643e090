import type { HubOptions } from '../hub/app.js';
import type { Device } from '../inventory/types.js';
import { createConfigClientAuth } from './config-client-auth.js';
import type { HubServiceConfig, ServiceDevice } from './service-config.js';

/** Where a device "comes from" on the hub host: the config, not an inventory file. */
const FROM_CONFIG = { file: 'hub.json', line: 0, column: 0 };
/** The hub never opens SSH; the Device type still has the field, so it gets one no connection uses. */
const NO_SSH = { user: '', port: 0, become: 'none', connect_timeout_s: 0 } as const;

/** A config device back into the inventory's Device shape the hub's tools take. */
function hubDevice(device: ServiceDevice): Device {
  return device.kind === 'edge' ? { ...device, ssh: NO_SSH, source: FROM_CONFIG } : { ...device, source: FROM_CONFIG };
}

/** The service config → what startHub takes. Pure. */
export function serviceHubOptions(config: HubServiceConfig): HubOptions & { host: string; port: number } {
  const options: HubOptions & { host: string; port: number } = {
    host: config.listen.host,
    port: config.listen.port,
    specs: config.specs,
    devices: config.devices.map(hubDevice),
    groups: config.groups,
    perDeviceTools: config.per_device_tools,
    auth: createConfigClientAuth(config.client_tokens),
    allowedHosts: config.allowed_hosts,
    auditLog: config.audit_log,
  };
  // hub.tls: HubOptions takes the PEM text as `tls` (a spread, so this compiles before and after that option exists).
  return { ...options, ...(config.tls ? { tls: config.tls } : {}) };
}
