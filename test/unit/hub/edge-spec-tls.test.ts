import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EdgeDevice } from '../../../src/inventory/types.js';
import { probeDevice } from '../../../src/cli/hub-client.js';
import { planEdgeSpec } from '../../../src/hub/upstreams/specs.js';
import { readEdgeCredentials } from '../../../src/secrets/edge-credentials.js';
import { createTokenStore } from '../../../src/secrets/token-store.js';

const edge = (tls: boolean) => ({ kind: 'edge', name: 'pi', address: '10.0.0.21', tags: [], groups: [], state: 'present', edge: { port: 8766, tls, policy: { timeout_s: 60, max_concurrent: 8, tools: ['run_command'] } } }) as unknown as EdgeDevice;
const PIN = 'ab'.repeat(32);

describe('edge specs with TLS', () => {
  it('tls + pin: https, pinned', () => {
    expect(planEdgeSpec(edge(true), { token: 'lme_t', pin: PIN })).toMatchObject({ url: 'https://10.0.0.21:8766/mcp', healthUrl: 'https://10.0.0.21:8766/healthz', pin: PIN });
  });

  it('tls without a pin: down with the reason, never an unpinned connection', () => {
    const spec = planEdgeSpec(edge(true), { token: 'lme_t' });
    expect(spec.missingCredential).toBe('no TLS pin for pi in .lanmcp/tokens/ (run `lanmcp apply` to pin the edge\'s key)');
    expect(spec.pin).toBeUndefined();
  });

  it('tls: false: plain http, a stored pin is ignored', () => {
    const spec = planEdgeSpec(edge(false), { token: 'lme_t', pin: PIN });
    expect(spec).toMatchObject({ url: 'http://10.0.0.21:8766/mcp' });
    expect(spec.pin).toBeUndefined();
    expect(spec.missingCredential).toBeUndefined();
  });
});

describe('status straight to a TLS edge', () => {
  it('without a pin says so and never contacts the edge (127.0.0.1:9 would answer down)', async () => {
    const spec = { ...planEdgeSpec(edge(true), { token: 'lme_t' }), url: 'https://127.0.0.1:9/mcp', healthUrl: 'https://127.0.0.1:9/healthz' };
    expect(await probeDevice(spec, 1000)).toMatchObject({ status: 'no-token', error: expect.stringContaining('no TLS pin for pi') });
    expect(await probeDevice({ ...spec, missingCredential: undefined, pin: PIN }, 1000)).toMatchObject({ status: 'down' });
  });
});

describe('pins in the token store', () => {
  it('are written atomically 0600 next to the token, read by readEdgeCredentials, removed with the token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lanmcp-pins-'));
    try {
      const store = createTokenStore(join(dir, '.lanmcp'));
      await store.write('pi', 'lme_t');
      await store.writePin('pi', PIN);
      expect((await stat(join(dir, '.lanmcp', 'tokens', 'pi.pin'))).mode & 0o777).toBe(0o600);
      expect(await readEdgeCredentials(join(dir, '.lanmcp'), [edge(true)])).toEqual(new Map([['pi', { token: 'lme_t', pin: PIN }]]));
      await expect(store.writePin('pi', 'not-a-pin')).rejects.toThrow(/not a SHA-256 pin/);
      await store.remove('pi');
      expect(await readdir(join(dir, '.lanmcp', 'tokens'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
