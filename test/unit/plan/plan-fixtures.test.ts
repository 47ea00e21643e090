import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planDevice } from '../../../src/plan/plan-device.js';
import type { DesiredEdge, DeviceFacts, DevicePlan } from '../../../src/plan/types.js';

// One fixture per scenario (test/fixtures/plan/*.json): desired state, facts, expected outcome and changes.
const dir = new URL('../../fixtures/plan/', import.meta.url);
interface Fixture {
  about: string;
  desired: DesiredEdge;
  facts: DeviceFacts;
  expected: { outcome: DevicePlan['outcome']; changes: Pick<DevicePlan['changes'][number], 'resource' | 'action'>[] };
}
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('planDevice fixtures', () => {
  it('has a fixture for every scenario the planner must handle', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures)('%s', (name) => {
    const fixture = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Fixture;
    const desired = { ...fixture.desired, tokenSha256: fixture.desired.tokenSha256 ?? undefined };
    const facts = { ...fixture.facts, receipt: fixture.facts.receipt ?? undefined, nodeVersion: fixture.facts.nodeVersion ?? undefined };
    const plan = planDevice(desired, facts);
    const actual = { outcome: plan.outcome, changes: plan.changes.map(({ resource, action }) => ({ resource, action })) };
    expect(actual, fixture.about).toEqual(fixture.expected);
    for (const change of plan.changes) expect(change.reason, 'every change carries a reason').not.toBe('');
  });
});
