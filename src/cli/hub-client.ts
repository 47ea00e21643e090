// Talking to a running hub (its /healthz and its token-protected status page) or, without it, straight to
// each device over HTTPS pinned to its key (HTTP for tls: false) with the credentials lanmcp holds. Never SSH: this is the runtime path.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createAgentFetch, type AgentFetch } from '../hub/upstreams/agent-fetch.js';
import { classifyUpstreamError, describeNetworkError, UpstreamFailure } from '../hub/upstreams/errors.js';
import { checkHealth } from '../hub/upstreams/health.js';
import type { UpstreamSpec } from '../hub/upstreams/types.js';
import type { ResolvedHub } from '../inventory/types.js';
import { LANMCP_VERSION } from '../shared/version.js';
import type { StatusRow } from './views/status-view.js';

/** Where this machine reaches its own hub: hub.listen (https with hub.tls), a wildcard address replaced by loopback. */
export function localHubBase(hub: Pick<ResolvedHub, 'listen_host' | 'listen_port' | 'tls'>): string {
  const host = hub.listen_host === '0.0.0.0' ? '127.0.0.1' : hub.listen_host === '::' ? '::1' : hub.listen_host;
  return `${hub.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${hub.listen_port}`;
}

/** The hub's version when one answers `GET /healthz` at `base`, else undefined (not running). */
export async function probeHub(base: string, timeoutMs: number, fetchImpl: AgentFetch = fetch): Promise<{ version?: string } | undefined> {
  try {
    const response = await fetchImpl(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { ok?: unknown; version?: unknown };
    if (!response.ok || body.ok !== true) return undefined;
    return typeof body.version === 'string' ? { version: body.version } : {};
  } catch {
    return undefined;
  }
}

/**
 * The hub's device rows (`GET /` as JSON, network_resources' data), or why they could not be read. The same
 * URL is the status page for browsers, so ask for JSON by name.
 */
export async function readHubDevices(base: string, token: string, timeoutMs: number, fetchImpl: AgentFetch = fetch): Promise<{ devices: Record<string, unknown>[] } | { error: string }> {
  try {
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const response = await fetchImpl(`${base}/`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 401) return { error: 'the hub refused the client token in LANMCP_TOKEN (401)' };
    if (!response.ok) return { error: `the hub answered HTTP ${response.status} at ${base}/` };
    const body = (await response.json()) as { devices?: unknown };
    return Array.isArray(body.devices) ? { devices: body.devices as Record<string, unknown>[] } : { error: `the hub's status page at ${base}/ has no device list` };
  } catch (error) {
    return { error: `the hub at ${base} did not answer its status page: ${describeNetworkError(error)}` };
  }
}

/**
 * One device checked directly: an edge's `GET /healthz` (no token needed), then an MCP initialize with
 * its token; a `kind: mcp` server's initialize and ping with the token from its environment variable.
 */
export async function probeDevice(spec: UpstreamSpec, timeoutMs: number): Promise<StatusRow> {
  // A pinned edge is reached only through the agent that checks its key, like the hub does.
  const net = createAgentFetch(spec.pin);
  try {
    return await probeWith(spec, timeoutMs, net.fetch);
  } finally {
    net.close();
  }
}

async function probeWith(spec: UpstreamSpec, timeoutMs: number, fetch: AgentFetch): Promise<StatusRow> {
  const base: StatusRow = { name: spec.name, kind: spec.kind, where: spec.address ?? spec.url, status: 'down', via: 'direct' };
  let health: { latencyMs: number; version?: string } | undefined;
  // A TLS edge without a pin is never contacted: its certificate could only be checked against a CA, which it has none of.
  if (spec.missingCredential && spec.healthUrl?.startsWith('https:') && !spec.pin) return { ...base, status: 'no-token', error: spec.missingCredential };
  if (spec.healthUrl) {
    try {
      health = await checkHealth(spec.healthUrl, timeoutMs, fetch);
    } catch (error) {
      return { ...base, error: error instanceof UpstreamFailure ? error.reason : describeNetworkError(error) };
    }
  }
  const seen = { ...(health?.version ? { version: health.version } : {}), ...(health ? { latency_ms: health.latencyMs } : {}) };
  if (spec.missingCredential) return { ...base, ...seen, status: 'no-token', error: spec.missingCredential };
  try {
    const answer = await initializeWithToken(spec, timeoutMs, fetch);
    return { ...base, status: 'up', ...seen, ...(answer.version && !seen.version ? { version: answer.version } : {}), latency_ms: health?.latencyMs ?? answer.latencyMs };
  } catch (error) {
    const failure = classifyUpstreamError(spec.name, error, timeoutMs);
    return { ...base, ...seen, status: failure.kind === 'auth' ? 'auth-failed' : 'down', error: failure.reason };
  }
}

/** MCP initialize (and a ping, timed) with the device's credential, then the session is closed. */
async function initializeWithToken(spec: UpstreamSpec, timeoutMs: number, fetch: AgentFetch): Promise<{ version?: string; latencyMs: number }> {
  const client = new Client({ name: 'lanmcp-status', version: LANMCP_VERSION });
  const transport = new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers }, fetch });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    const started = performance.now();
    await client.ping({ timeout: timeoutMs });
    const version = client.getServerVersion()?.version;
    return { latencyMs: Math.round(performance.now() - started), ...(version ? { version } : {}) };
  } finally {
    await client.close().catch(() => undefined);
  }
}
