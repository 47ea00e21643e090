import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDesiredHub } from '../../../src/hubhost/desired.js';
import { planHub } from '../../../src/hubhost/plan-hub.js';
import { planHubRetirement } from '../../../src/hubhost/plan-retire.js';
import type { HubFacts } from '../../../src/hubhost/types.js';
import type { DevicePlan } from '../../../src/plan/types.js';
import { sha256Hex } from '../../../src/shared/hash.js';

// One fixture per scenario (test/fixtures/hubhost/*.json): overrides of the desired hub, the hub host's facts
// ("$bundle", "$config", "$unit" stand for the hashes of the default desired files), expected outcome and changes.
const dir = new URL('../../fixtures/hubhost/', import.meta.url);
const template = readFileSync(new URL('../../../templates/lanmcp-hub.service', import.meta.url), 'utf8');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Fixture {
  about: string;
  desired: { version?: string; pendingCredentials?: string[] };
  facts: HubFacts;
  expected: { outcome: DevicePlan['outcome']; changes: Pick<DevicePlan['changes'][number], 'resource' | 'action'>[] };
}

function desiredOf(overrides: Fixture['desired']) {
  const version = overrides.version ?? '0.1.0';
  return buildDesiredHub({
    host: 'lab1', address: '10.0.0.2', port: 8765, tls: false, configText: '{"format":1}\n', nodePath: '/usr/bin/node',
    pendingCredentials: overrides.pendingCredentials ?? [],
    artifacts: { version, bundleSha256: sha256Hex(`bundle ${version}`), unitTemplate: template },
  });
}

function loadFixture(name: string): Fixture {
  const reference = desiredOf({});
  const [bundle, config, unit] = reference.files.map((f) => f.sha256);
  const text = readFileSync(new URL(name, dir), 'utf8').replaceAll('$bundle', bundle!).replaceAll('$config', config!).replaceAll('$unit', unit!);
  const fixture = JSON.parse(text) as Fixture;
  return { ...fixture, facts: { ...fixture.facts, receipt: fixture.facts.receipt ?? undefined, nodeVersion: fixture.facts.nodeVersion ?? undefined, nodePath: fixture.facts.nodePath ?? undefined } };
}

describe('planHub fixtures', () => {
  it('has a fixture for every scenario the hub planner must handle', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(13);
  });

  it.each(fixtures)('%s', (name) => {
    const fixture = loadFixture(name);
    const plan = planHub(desiredOf(fixture.desired), fixture.facts);
    expect(plan.device).toBe('hub on lab1');
    expect({ outcome: plan.outcome, changes: plan.changes.map(({ resource, action }) => ({ resource, action })) }, fixture.about).toEqual(fixture.expected);
    for (const change of plan.changes) expect(change.reason, 'every change carries a reason').not.toBe('');
  });
});

describe('planHub reasons', () => {
  it('names the devices whose tokens the config waits for, and never shows the config text', () => {
    const fixture = loadFixture('pending-tokens.json');
    const plan = planHub(desiredOf({ pendingCredentials: ['lab2', 'lab3'] }), fixture.facts);
    const config = plan.changes.find((c) => c.resource.type === 'file' && c.resource.path === '/etc/lanmcp-hub/hub.json')!;
    expect(config.reason).toBe('file /etc/lanmcp-hub/hub.json changes: it will carry the new edge credentials (token, TLS pin) of lab2, lab3, issued by this apply');
    expect(config.after?.text).toBeUndefined();
    expect(JSON.stringify(plan)).not.toContain('"format":1');
  });

  it('shows the unit text for diff --diff and the config only as a fingerprint', () => {
    const fixture = loadFixture('config-changed.json');
    const plan = planHub(desiredOf({}), fixture.facts);
    const config = plan.changes.find((c) => c.resource.type === 'file' && c.resource.path.endsWith('hub.json'))!;
    expect(config.reason).toMatch(/^file \/etc\/lanmcp-hub\/hub\.json content differs \(sha256:000000000000… → sha256:[0-9a-f]{12}…\)$/);
    const fresh = planHub(desiredOf({}), loadFixture('fresh-host.json').facts);
    const unit = fresh.changes.find((c) => c.resource.type === 'file' && c.resource.path.endsWith('.service'))!;
    expect(unit.after?.text).toContain('ExecStart=/usr/bin/node');
    expect(fresh.changes.find((c) => c.resource.type === 'file' && c.resource.path.endsWith('hub.json'))!.after?.text).toBeUndefined();
  });
});

describe('planHubRetirement', () => {
  it('removes the service, files and receipt of a hub left on the previous hub host; nothing when none is there', () => {
    const installed = loadFixture('in-sync.json').facts;
    const plan = planHubRetirement('lab1', '10.0.0.2', installed, 'hub.host moved to lab2');
    expect(plan.device).toBe('hub on lab1');
    expect(plan.outcome).toBe('remove');
    expect(plan.changes.map((c) => [c.resource.type, c.action])).toEqual([['service', 'delete'], ['file', 'delete'], ['file', 'delete'], ['file', 'delete'], ['receipt', 'delete']]);
    expect(plan.changes[0]!.reason).toBe('hub.host moved to lab2 — stop and disable the hub here');
    expect(planHubRetirement('lab1', '10.0.0.2', loadFixture('fresh-host.json').facts, 'hub.host was removed from the inventory')).toMatchObject({ outcome: 'unchanged', changes: [] });
  });
});
