import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planDevice } from '../../../src/plan/plan-device.js';
import { formatPin } from '../../../src/shared/tls-pin.js';
import type { DesiredEdge, DeviceFacts } from '../../../src/plan/types.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/plan/${name}.json`, import.meta.url), 'utf8')) as { desired: DesiredEdge; facts: DeviceFacts };
const tlsChange = (name: string) => {
  const { desired, facts } = fixture(name);
  return planDevice(desired, facts).changes.find((c) => c.resource.type === 'tls-key')!;
};
const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);

describe('tls-key reasons', () => {
  it('a no-op shows the pinned fingerprint, never key bytes', () => {
    const change = tlsChange('tls-in-sync');
    expect(change.reason).toBe(`TLS key pinned (${formatPin(A)})`);
    expect(change.after?.fingerprint).toBe(formatPin(A));
  });

  it('a re-pin names both fingerprints', () => {
    const change = tlsChange('tls-repin');
    expect(change.reason).toContain(`presents ${formatPin(A)}`);
    expect(change.reason).toContain(`pins ${formatPin(B)}`);
    expect([change.before?.fingerprint, change.after?.fingerprint]).toEqual([formatPin(B), formatPin(A)]);
  });

  it('rotation, permissions and removal say what happens', () => {
    expect(tlsChange('tls-rotated').reason).toMatch(/rotated with the token: a new key is generated on the device/);
    expect(tlsChange('tls-key-mode').reason).toBe('/etc/lanmcp-edge/tls/key.pem is 0644 root:root, want 0600 root:root');
    expect(tlsChange('tls-run-as-key-group').reason).toBe('/etc/lanmcp-edge/tls/key.pem is 0600 root:root, want 0640 root:lanmcp');
    expect(tlsChange('tls-turned-off').reason).toMatch(/plain HTTP/);
    expect(tlsChange('tls-fresh').reason).toMatch(/generated there \(the private key never leaves it\)/);
  });

  it('a restart follows a generated key only', () => {
    const services = (name: string) => { const { desired, facts } = fixture(name); return planDevice(desired, facts).changes.filter((c) => c.resource.type === 'service').map((c) => `${c.action}: ${c.reason}`); };
    expect(services('tls-key-missing')).toEqual(['restart: changed: TLS key']);
    expect(services('tls-repin')[0]).toMatch(/^noop/);
  });
});
