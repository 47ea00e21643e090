import type { HubOptions } from '../hub/app.js';
import { createConfigClientAuth } from './config-client-auth.js';
import type { HubServiceConfig } from './service-config.js';

/** The service config → what startHub takes. Pure. */
export function serviceHubOptions(config: HubServiceConfig): HubOptions & { host: string; port: number } {
  const options: HubOptions & { host: string; port: number } = {
    host: config.listen.host,
    port: config.listen.port,
    specs: config.specs,
    devices: config.devices,
    groups: config.groups,
    perDeviceTools: config.per_device_tools,
    auth: createConfigClientAuth(config.client_tokens),
    allowedHosts: config.allowed_hosts,
    auditLog: config.audit_log,
  };
  // hub.tls: HubOptions takes the PEM text as `tls` (a spread, so this compiles before and after that option exists).
  return { ...options, ...(config.tls ? { tls: config.tls } : {}) };
}
