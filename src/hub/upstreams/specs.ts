// Inventory devices → how the hub reaches each one. Pure: tokens and the environment are passed in.
import type { Device, EdgeDevice, McpDevice } from '../../inventory/types.js';
import type { EdgeCredentials } from '../../secrets/edge-credentials.js';
import type { UpstreamSpec } from './types.js';

/** Margin over the edge's own timeout, so the edge's "timed out, process group killed" answer arrives first. */
const CALL_TIMEOUT_MARGIN_MS = 10_000;
const MCP_CALL_TIMEOUT_MS = 120_000;
const MCP_MAX_CONCURRENT = 8;

/**
 * `https://10.0.0.21:8766` (`http://` for `edge.tls: false`), with IPv6 literals bracketed. The https
 * edge's certificate is self-signed: the hub trusts it through the pin read over SSH at apply, never a CA.
 */
export function edgeBaseUrl(device: EdgeDevice): string {
  const host = device.address.includes(':') ? `[${device.address}]` : device.address;
  return `${device.edge.tls ? 'https' : 'http'}://${host}:${device.edge.port}`;
}

export function planEdgeSpec(device: EdgeDevice, credentials: EdgeCredentials): UpstreamSpec {
  const { token, pin } = credentials;
  const base = edgeBaseUrl(device);
  const missing = !token ? `no edge token for ${device.name} in .lanmcp/tokens/ (run \`lanmcp apply\` to provision it)`
    : device.edge.tls && !pin ? `no TLS pin for ${device.name} in .lanmcp/tokens/ (run \`lanmcp apply\` to pin the edge's key)`
    : undefined;
  return {
    name: device.name, kind: 'edge', url: `${base}/mcp`, healthUrl: `${base}/healthz`,
    ...(device.edge.tls && pin ? { pin } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
    maxConcurrent: device.edge.policy.max_concurrent,
    callTimeoutMs: device.edge.policy.timeout_s * 1000 + CALL_TIMEOUT_MARGIN_MS,
    ...(missing ? { missingCredential: missing } : {}),
    address: device.address, ...(device.description ? { description: device.description } : {}),
    tags: device.tags, groups: device.groups, enabledTools: [...device.edge.policy.tools],
  };
}

export function planMcpSpec(device: McpDevice, env: NodeJS.ProcessEnv): UpstreamSpec {
  const headers: Record<string, string> = {};
  const missing: string[] = [];
  if (device.auth) {
    const token = env[device.auth.bearer_env];
    if (token) headers.authorization = `Bearer ${token}`;
    else missing.push(device.auth.bearer_env);
  }
  for (const [header, variable] of Object.entries(device.headers_env ?? {})) {
    const value = env[variable];
    if (value !== undefined) headers[header.toLowerCase()] = value;
    else missing.push(variable);
  }
  return {
    name: device.name, kind: 'mcp', url: device.url, headers, maxConcurrent: MCP_MAX_CONCURRENT, callTimeoutMs: MCP_CALL_TIMEOUT_MS,
    ...(missing.length > 0 ? { missingCredential: `environment variable ${missing.join(', ')} is not set for ${device.name}` } : {}),
    ...(device.description ? { description: device.description } : {}),
    tags: device.tags, groups: device.groups, enabledTools: [],
  };
}

/** Present devices only: an `absent` device is being uninstalled and has nothing to serve. */
export function planUpstreamSpecs(devices: readonly Device[], edgeCredentials: ReadonlyMap<string, EdgeCredentials>, env: NodeJS.ProcessEnv): UpstreamSpec[] {
  return devices
    .filter((d) => d.state === 'present')
    .map((d) => (d.kind === 'edge' ? planEdgeSpec(d, edgeCredentials.get(d.name) ?? {}) : planMcpSpec(d, env)));
}
