import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubOptions } from '../../../src/hub/start.js';
import { createTokenStore } from '../../../src/secrets/token-store.js';

function inventory(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-hub-load-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, text);
  return file;
}

const YAML = [
  'version: 1',
  'hub: { listen: "0.0.0.0:9000", public_url: "https://lan.example.com/mcp", audit_log: logs/audit.jsonl }',
  'defaults: { edge: { policy: { timeout_s: 30, max_concurrent: 3 } } }',
  'groups: { rack: { hosts: [pi-a] } }',
  'hosts:',
  '  pi-a: { address: 10.0.0.21, tags: [audio] }',
  '  pi-b: { address: 10.0.0.22 }',
  '  old: { address: 10.0.0.23, state: absent }',
  '  ha: { kind: mcp, url: "http://10.0.0.5:8123/api/mcp", auth: { bearer_env: HA_TOKEN } }',
  '',
].join('\n');

describe('loadHubOptions', () => {
  it('builds upstreams from the inventory: edge tokens from .lanmcp/tokens, mcp credentials from the environment', async () => {
    const file = inventory(YAML);
    await createTokenStore(join(file, '..', '.lanmcp')).write('pi-a', 'lme_token-of-pi-a');
    const { options, stateDir } = await loadHubOptions(file, { HA_TOKEN: 'ha-secret' });
    expect(stateDir).toBe(join(file, '..', '.lanmcp'));
    expect(options.specs.map((s) => s.name)).toEqual(['pi-a', 'pi-b', 'ha']);
    expect(options.specs[0]).toMatchObject({ url: 'https://10.0.0.21:8766/mcp', headers: { authorization: 'Bearer lme_token-of-pi-a' }, callTimeoutMs: 40_000, maxConcurrent: 3, tags: ['audio'], groups: ['rack'] });
    expect(options.specs[1]!.missingCredential).toMatch(/no edge token for pi-b/);
    expect(options.specs[2]).toMatchObject({ kind: 'mcp', headers: { authorization: 'Bearer ha-secret' } });
    expect(options).toMatchObject({ host: '0.0.0.0', port: 9000, auditLog: join(file, '..', 'logs', 'audit.jsonl') });
    expect(options.allowedHosts).toEqual(expect.arrayContaining(['localhost', 'lan.example.com', '127.0.0.1']));
    expect(options.allowedHosts).not.toContain('0.0.0.0');
  });

  it('--listen overrides hub.listen; an invalid inventory is an error pointing at validate', async () => {
    const { options } = await loadHubOptions(inventory(YAML), {}, { listen: { host: '127.0.0.1', port: 0 } });
    expect(options).toMatchObject({ host: '127.0.0.1', port: 0 });
    await expect(loadHubOptions(inventory('version: 1\nhosts: { BAD: { address: 1.2.3.4 } }\n'), {})).rejects.toThrow(/is invalid/);
  });
});
