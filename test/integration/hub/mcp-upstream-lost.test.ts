import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamFailure } from '../../../src/hub/upstreams/errors.js';
import { DEFAULT_TIMING } from '../../../src/hub/upstreams/types.js';
import { createUpstream } from '../../../src/hub/upstreams/upstream.js';
import { startFakeEdge } from '../../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN, edgeSpec } from './hub-helpers.js';

// A `kind: mcp` upstream keeps the SDK client: a connection it loses names the cause, not just "fetch failed".
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('kind: mcp upstream (SDK client path)', () => {
  it('a server gone between calls: down, and the reason names the cause (ECONNREFUSED)', async () => {
    const server = await startFakeEdge('generic', EDGE_TOKEN);
    const u = createUpstream(edgeSpec(server, { kind: 'mcp', healthUrl: undefined }), { ...DEFAULT_TIMING, healthIntervalMs: 60_000 });
    cleanup.push(() => u.close());
    await u.start();
    expect((await u.callTool('run_command', { command: 'hello' }, {})).content).toEqual([{ type: 'text', text: 'exit 0\ngeneric: hello' }]);
    await server.stop();
    // The session's GET stream breaks with the server; let that land before the next call, which then
    // meets the refused connection itself.
    await new Promise((r) => setTimeout(r, 200));
    const failure = await u.callTool('run_command', { command: 'again' }, {}).catch((e: unknown) => e as UpstreamFailure);
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect((failure as UpstreamFailure).kind).toBe('down');
    expect((failure as UpstreamFailure).reason).toMatch(/^connection lost during the call \(fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
  });
});
