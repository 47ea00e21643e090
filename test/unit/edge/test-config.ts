import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { parseEdgeConfig, type EdgeConfig, type EdgePolicy } from '../../../src/edge/config.js';
import { createEdge, type Edge } from '../../../src/edge/edge.js';
import { EdgeTransport } from './edge-transport.js';
import { createFakeSystem, type FakeSystem } from './fake-system.js';

export const TEST_TOKEN = 'test-token-0123456789';
export const TEST_TOKEN_SHA256 = createHash('sha256').update(TEST_TOKEN).digest('hex');

/** A valid config through the real parser, with policy and top-level overrides. */
export function testConfig(policy: Partial<EdgePolicy> = {}, extra: Record<string, unknown> = {}): EdgeConfig {
  return parseEdgeConfig({
    name: 'kitchen-pi', listen: { host: '127.0.0.1', port: 8766 }, token_sha256: TEST_TOKEN_SHA256,
    policy, progress_interval_ms: 20, ...extra,
  });
}

/** An SDK Client connected in-process to an edge over fake system probes. */
export async function connectClient(config: EdgeConfig, system: FakeSystem = createFakeSystem()): Promise<{ client: Client; edge: Edge; system: FakeSystem }> {
  const edge = createEdge(config, system);
  const client = new Client({ name: 'edge-test', version: '1.0.0' });
  await client.connect(new EdgeTransport(edge));
  return { client, edge, system };
}

/** The text of a CallToolResult's first content item. */
export function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content[0]?.text ?? '';
}
