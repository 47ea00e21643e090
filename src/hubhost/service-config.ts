// The hub service's compiled config (/etc/lanmcp-hub/hub.json on the hub host): everything the hub needs,
// resolved on the operator's machine by `lanmcp apply`, so the device never sees the inventory or `.lanmcp/`.
// It holds the edges' tokens (and `kind: mcp` credentials): the file is 0600 root.
import type { EdgeDevice, McpDevice } from '../inventory/types.js';
import type { UpstreamSpec } from '../hub/upstreams/types.js';

export const SERVICE_CONFIG_FORMAT = 1;

/** A client token as the hub host knows it: name and SHA-256, never the token. */
export interface ServiceClientToken {
  name: string;
  sha256: string;
}

/**
 * A device as the hub uses it (targets, groups, tags, the confirm policy, network_resources): no `ssh`
 * settings (the hub never opens SSH, and their paths are the operator's), no inventory location, no
 * `kind: mcp` credential names (the specs carry the credentials).
 */
export type ServiceDevice = Omit<EdgeDevice, 'ssh' | 'source'> | Omit<McpDevice, 'source' | 'auth' | 'headers_env'>;

export interface HubServiceConfig {
  format: typeof SERVICE_CONFIG_FORMAT;
  /** The hub host's name in the inventory (for logs and messages). */
  host: string;
  listen: { host: string; port: number };
  /** Upstream specs as data: each edge's URL and credentials (token header, TLS pin when there is one). */
  specs: UpstreamSpec[];
  devices: ServiceDevice[];
  groups: Record<string, string[]>;
  per_device_tools: boolean;
  /** Revoking a token takes `lanmcp token revoke NAME` and then `lanmcp apply` (it rewrites this list). */
  client_tokens: ServiceClientToken[];
  allowed_hosts: string[];
  audit_log: string;
  /** hub.tls as PEM text. */
  tls?: { cert: string; key: string };
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Strict reading of the file (the entry exits with the reason on a bad one): pure. */
export function parseServiceConfig(json: unknown): HubServiceConfig {
  const c = json as Partial<HubServiceConfig> | null;
  const fail = (what: string): never => {
    throw new Error(`hub service config: ${what}`);
  };
  if (!c || typeof c !== 'object') fail('not a JSON object');
  if (c!.format !== SERVICE_CONFIG_FORMAT) fail(`format must be ${SERVICE_CONFIG_FORMAT} (written by a different lanmcp version? run \`lanmcp apply\`)`);
  if (typeof c!.host !== 'string') fail('host must be a string');
  if (!c!.listen || typeof c!.listen.host !== 'string' || !Number.isInteger(c!.listen.port)) fail('listen needs host and port');
  if (!Array.isArray(c!.specs) || !Array.isArray(c!.devices)) fail('specs and devices must be arrays');
  if (!c!.groups || typeof c!.groups !== 'object') fail('groups must be an object');
  if (!Array.isArray(c!.client_tokens) || c!.client_tokens.some((t) => typeof t?.name !== 'string' || !SHA256_RE.test(String(t?.sha256)))) {
    fail('client_tokens must be a list of {name, sha256 (64 hex)}');
  }
  if (!Array.isArray(c!.allowed_hosts) || typeof c!.audit_log !== 'string') fail('allowed_hosts and audit_log are required');
  if (c!.tls !== undefined && (typeof c!.tls.cert !== 'string' || typeof c!.tls.key !== 'string')) fail('tls needs cert and key (PEM text)');
  return c as HubServiceConfig;
}
