import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createAgentFetch, type AgentFetch } from '../hub/upstreams/agent-fetch.js';
import { PinMismatchError } from '../hub/upstreams/pinned-agent.js';
import { LanmcpError } from '../shared/errors.js';
import { LANMCP_VERSION } from '../shared/version.js';

export interface VerifyTarget {
  device: string;
  address: string;
  port: number;
  token: string;
  version: string;
  /** Hex SHA-256 of the edge's TLS key: verify over HTTPS, pinned to it (the way the hub will connect). */
  pin?: string;
  /** How long the edge may take to come up after a restart. */
  timeoutMs?: number;
}

export interface VerifyResult {
  version: string;
  tools: string[];
  latencyMs: number;
}

const hostPort = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/**
 * Proves the edge works the way the hub will use it: over HTTPS pinned to the key just read over SSH (or
 * HTTP for `tls: false`), speaking MCP, accepting the token just issued, and running the version just
 * pushed. Waits for /healthz first since a restarted edge needs a moment.
 */
export async function verifyEdge(target: VerifyTarget): Promise<VerifyResult> {
  const base = `${target.pin ? 'https' : 'http'}://${hostPort(target.address, target.port)}`;
  const deadline = Date.now() + (target.timeoutMs ?? 15_000);
  const net = createAgentFetch(target.pin);
  const client = new Client({ name: 'lanmcp-apply', version: LANMCP_VERSION });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${target.token}` } },
    fetch: net.fetch,
  });
  try {
    await waitForHealth(`${base}/healthz`, target, deadline, net.fetch);
    const started = performance.now();
    await client.connect(transport, { timeout: Math.max(1000, deadline - Date.now()) });
    const version = client.getServerVersion()?.version ?? 'unknown';
    if (version !== target.version) {
      throw new LanmcpError('E_VERIFY_FAILED', `edge on ${target.device} runs version ${version}, expected ${target.version}`);
    }
    const { tools } = await client.listTools();
    return { version, tools: tools.map((t) => t.name), latencyMs: performance.now() - started };
  } catch (cause) {
    if (cause instanceof LanmcpError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new LanmcpError('E_VERIFY_FAILED', `edge on ${target.device} (${base}/mcp) did not answer MCP with the new token: ${message}`, { cause });
  } finally {
    await client.close().catch(() => undefined);
    net.close();
  }
}

async function waitForHealth(url: string, target: VerifyTarget, deadline: number, fetch: AgentFetch): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json().catch(() => ({}))) as { version?: string };
      if (response.ok && body.version === target.version) return;
      last = `HTTP ${response.status}, version ${body.version ?? 'unknown'}`;
    } catch (error) {
      // Another key answering will not fix itself by waiting.
      if ((error as Error).cause instanceof PinMismatchError) throw new LanmcpError('E_VERIFY_FAILED', `edge on ${target.device}: ${((error as Error).cause as Error).message}`, { cause: error });
      // One line: OpenSSL's messages (a plain-HTTP or foreign server on the port) carry newlines.
      last = (error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)).replace(/\s+/g, ' ').trim();
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new LanmcpError('E_VERIFY_FAILED', `edge on ${target.device} did not become healthy at ${url} within ${target.timeoutMs ?? 15_000} ms (last: ${last})`, {
    hint: `look at the edge's log on the device: journalctl -u lanmcp-edge -n 50`,
  });
}
