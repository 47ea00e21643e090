import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { HubOptions } from '../../../src/hub/app.js';
import { startHub, type RunningHub } from '../../../src/hub/start.js';
import type { UpstreamSpec } from '../../../src/hub/upstreams/types.js';
import type { EdgeDevice } from '../../../src/inventory/types.js';
import { EDGE_TOOLS } from '../../../src/inventory/types.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import type { FakeEdge } from '../../fixtures/hub/fake-edge.js';

export const EDGE_TOKEN = 'lme_fake-edge-token-0123456789abcdef';

/** Timings scaled down so reconnects and health checks happen within a test. */
export const FAST_TIMING = { healthIntervalMs: 200, connectTimeoutMs: 1000, backoffInitialMs: 50, backoffMaxMs: 300, downWaitMs: 500, toolsRefreshMs: 300 };

export function edgeSpec(edge: FakeEdge, overrides: Partial<UpstreamSpec> = {}): UpstreamSpec {
  return {
    name: edge.name, kind: 'edge', url: `${edge.url}/mcp`, healthUrl: `${edge.url}/healthz`,
    headers: { authorization: `Bearer ${EDGE_TOKEN}` }, maxConcurrent: 4, callTimeoutMs: 5000,
    address: '127.0.0.1', tags: [], groups: [], enabledTools: [...EDGE_TOOLS], ...overrides,
  };
}

/** A minimal resolved edge device, for run_on_many's target selection. */
export function edgeDevice(name: string, tags: string[] = [], groups: string[] = []): EdgeDevice {
  return { kind: 'edge', name, address: '127.0.0.1', tags, groups, state: 'present' } as unknown as EdgeDevice;
}

export interface TestHub extends RunningHub {
  token: string;
  stateDir: string;
  tokens: ReturnType<typeof createClientTokenStore>;
}

export async function startTestHub(options: Partial<HubOptions> & { specs: UpstreamSpec[] }): Promise<TestHub> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmcp-hub-'));
  const tokens = createClientTokenStore(stateDir);
  const token = tokens.create('tester');
  const hub = await startHub({
    host: '127.0.0.1', port: 0, auth: tokens, allowedHosts: ['127.0.0.1', 'localhost'], timing: FAST_TIMING,
    auditLog: join(stateDir, 'audit.jsonl'), ...options,
  });
  return { ...hub, token, stateDir, tokens };
}

/** An SDK client over Streamable HTTP with the bearer token, as Claude Code or Cursor would connect. */
export async function connectClient(url: string, token: string, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: 'hub-test', version: '1.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

export function textOf(result: unknown): string {
  return (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
}
