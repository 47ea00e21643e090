import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdge } from '../../../src/edge/edge.js';
import { createEdgeHttpServer, type EdgeHttpServer } from '../../../src/edge/http.js';
import { allowedHostnames } from '../../../src/edge/http-rules.js';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { createUpstream, type Upstream } from '../../../src/hub/upstreams/upstream.js';
import { DEFAULT_TIMING, type UpstreamSpec } from '../../../src/hub/upstreams/types.js';
import { formatPin } from '../../../src/shared/tls-pin.js';
import { createFakeSystem } from '../../unit/edge/fake-system.js';
import { TEST_TOKEN, testConfig } from '../../unit/edge/test-config.js';

// A real edge HTTP layer serving TLS in-process, reached by the hub's upstream through its pinned agent.
const identity = createEdgeTlsIdentity('kitchen-pi');
const impostor = createEdgeTlsIdentity('kitchen-pi');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tlsEdge(keys = identity): Promise<{ http: EdgeHttpServer; port: number }> {
  const config = testConfig();
  const http = createEdgeHttpServer(createEdge(config, createFakeSystem()), config, {
    allowedHosts: allowedHostnames(config, 'kitchen-pi', []), version: '9.9.9-test', tls: { key: keys.keyPem, cert: keys.certPem },
  });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => http.shutdown(100));
  return { http, port: (http.server.address() as AddressInfo).port };
}

function upstream(port: number, pin: string): Upstream {
  const spec: UpstreamSpec = {
    name: 'kitchen-pi', kind: 'edge', url: `https://127.0.0.1:${port}/mcp`, healthUrl: `https://127.0.0.1:${port}/healthz`, pin,
    headers: { authorization: `Bearer ${TEST_TOKEN}` }, maxConcurrent: 2, callTimeoutMs: 10_000, tags: [], groups: [], enabledTools: ['run_command'],
  };
  const u = createUpstream(spec, { ...DEFAULT_TIMING, healthIntervalMs: 60_000, backoffInitialMs: 50, backoffMaxMs: 200, downWaitMs: 500 });
  cleanup.push(() => u.close());
  return u;
}

describe('hub upstream to a TLS edge', () => {
  it('with the right pin: up, and calls work', async () => {
    const { port } = await tlsEdge();
    const u = upstream(port, identity.spkiSha256);
    await u.start();
    expect(u.status()).toMatchObject({ status: 'up', version: '9.9.9-test' });
    const tools = await u.request((client) => client.listTools(), {});
    expect(tools.tools.map((t) => t.name)).toContain('run_command');
  });

  it('an edge presenting another key: down with the pin mismatch as the reason, and calls refused naming it', async () => {
    const { port } = await tlsEdge(impostor);
    const u = upstream(port, identity.spkiSha256);
    await u.start();
    expect(u.status().status).toBe('down');
    expect(u.status().error).toContain(`TLS pin mismatch at 127.0.0.1:${port}: the edge presented ${formatPin(impostor.spkiSha256)}, .lanmcp/ pins ${formatPin(identity.spkiSha256)}`);
    const failure = await u.request((client) => client.listTools(), {}).catch((e: Error) => e);
    expect((failure as Error).message).toContain('TLS pin mismatch');
  });

  it('a key that changes while sessions are pooled: the next call fails naming the mismatch, not a lost connection', async () => {
    const first = await tlsEdge();
    const u = upstream(first.port, identity.spkiSha256);
    await u.start();
    await u.request((client) => client.listTools(), {});
    // The same port now answers with another key (a reinstalled edge): pooled keep-alive sockets are gone.
    await first.http.shutdown(100);
    first.http.server.closeAllConnections();
    const config = testConfig();
    const second = createEdgeHttpServer(createEdge(config, createFakeSystem()), config, {
      allowedHosts: allowedHostnames(config, 'kitchen-pi', []), version: '9.9.9-test', tls: { key: impostor.keyPem, cert: impostor.certPem },
    });
    await new Promise<void>((resolve) => second.server.listen(first.port, '127.0.0.1', resolve));
    cleanup.push(() => second.shutdown(100));
    const failure = await u.request((client) => client.listTools(), {}).catch((e: Error) => e);
    expect((failure as Error).message).toContain('TLS pin mismatch');
    expect(u.status()).toMatchObject({ status: 'down', error: expect.stringContaining('TLS pin mismatch') });
  });
});
