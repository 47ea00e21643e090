import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDesiredEdge, type ArtifactInfo } from '../../../src/plan/desired.js';
import { renderEdgeUnit } from '../../../src/plan/edge-unit.js';
import { renderPolkitRule } from '../../../src/plan/polkit-rule.js';
import { DEFAULT_POLICY } from '../../../src/inventory/resolve.js';
import type { EdgeDevice } from '../../../src/inventory/types.js';

const template = readFileSync(new URL('../../../templates/lanmcp-edge.service', import.meta.url), 'utf8');
const artifacts: ArtifactInfo = { version: '0.1.0', bundleSha256: 'a'.repeat(64), unitTemplate: template };
const directives = (unit: string) => unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));

function device(runAs: string, services: string[]): EdgeDevice {
  return {
    kind: 'edge', name: 'kitchen-pi', address: '10.0.0.21', tags: [], groups: [], state: 'present',
    ssh: { user: 'root', port: 22, become: 'none', connect_timeout_s: 10 },
    edge: { port: 8766, run_as: runAs, tls: false, policy: { ...DEFAULT_POLICY, services } },
    source: { file: 'inventory.yaml', line: 1, column: 1 },
  };
}

type Verdict = 'yes' | 'not handled';

/** Runs the rule text the way polkitd does (addRule, then the function per check) against a fake polkit. */
function evaluate(rule: string, check: { id: string; user: string; unit: string; verb: string }): Verdict {
  let registered: ((action: unknown, subject: unknown) => unknown) | undefined;
  const polkit = { Result: { YES: 'yes', NOT_HANDLED: 'not handled' }, addRule: (f: typeof registered) => { registered = f; } };
  new Function('polkit', rule)(polkit);
  const action = { id: check.id, lookup: (key: string) => (key === 'unit' ? check.unit : key === 'verb' ? check.verb : undefined) };
  return (registered!(action, { user: check.user }) ?? 'not handled') as Verdict;
}

describe('polkit rule for policy.services', () => {
  const rule = renderPolkitRule({ device: 'kitchen-pi', user: 'lanmcp', units: ['lab-demo.service', 'backup@daily.timer'] });
  const manage = 'org.freedesktop.systemd1.manage-units';

  it('grants start, stop, restart and reload of exactly the listed units to exactly that user', () => {
    for (const verb of ['start', 'stop', 'restart', 'reload']) {
      expect(evaluate(rule, { id: manage, user: 'lanmcp', unit: 'lab-demo.service', verb })).toBe('yes');
      expect(evaluate(rule, { id: manage, user: 'lanmcp', unit: 'backup@daily.timer', verb })).toBe('yes');
    }
  });

  it('leaves everything else to polkit defaults: other units, users, verbs and actions (enable/disable)', () => {
    expect(evaluate(rule, { id: manage, user: 'lanmcp', unit: 'ssh.service', verb: 'restart' })).toBe('not handled');
    expect(evaluate(rule, { id: manage, user: 'lanmcp', unit: 'lab-demo', verb: 'restart' })).toBe('not handled');
    expect(evaluate(rule, { id: manage, user: 'pi', unit: 'lab-demo.service', verb: 'restart' })).toBe('not handled');
    expect(evaluate(rule, { id: manage, user: 'lanmcp', unit: 'lab-demo.service', verb: 'try-restart' })).toBe('not handled');
    expect(evaluate(rule, { id: 'org.freedesktop.systemd1.manage-unit-files', user: 'lanmcp', unit: 'lab-demo.service', verb: 'start' })).toBe('not handled');
  });

  it('stays ECMAScript 5 (polkitd runs rules with duktape) and says who manages it', () => {
    const code = rule.split('\n').filter((line) => !line.startsWith('//')).join('\n');
    expect(code).not.toMatch(/\b(let|const)\b|=>|`/);
    expect(rule.split('\n')[0]).toBe('// Managed by lanmcp for kitchen-pi: edits are reverted by the next `lanmcp apply`.');
  });

  it('refuses names that would break out of the JavaScript it writes', () => {
    expect(() => renderPolkitRule({ device: 'kitchen-pi', user: 'lanmcp', units: ['x");polkit.Result.YES;("'] })).toThrow(/invalid unit name/);
    expect(() => renderPolkitRule({ device: 'kitchen-pi', user: 'a"b', units: ['x.service'] })).toThrow(/invalid user/);
    expect(() => renderPolkitRule({ device: 'kitchen-pi', user: 'root', units: ['x.service'] })).toThrow(/invalid user/);
    expect(() => renderPolkitRule({ device: 'kitchen-pi', user: 'lanmcp', units: [] })).toThrow(/no units/);
  });
});

describe('desired state of a run_as edge', () => {
  it('root: config 0600 root-only, no polkit rule even with services (root controls any unit), seccomp hardening without NoNewPrivileges', () => {
    const desired = buildDesiredEdge(device('root', ['nginx.service']), artifacts, undefined, '/usr/bin/node');
    expect(desired.runAs).toBe('root');
    expect(desired.polkitRule).toBeUndefined();
    expect(desired.files[1]).toMatchObject({ path: '/etc/lanmcp-edge/config.json', mode: 0o600 });
    expect(desired.files[1]!.readableBy).toBeUndefined();
    const keys = directives((desired.files[2]!.source as { text: string }).text).map((l) => l.split('=')[0]);
    expect(keys).toContain('SystemCallArchitectures');
    expect(keys).not.toContain('NoNewPrivileges');
  });

  it('run_as lanmcp: config 0640 read through its group, the rule for its services, User= and NoNewPrivileges in the unit', () => {
    const desired = buildDesiredEdge(device('lanmcp', ['nginx.service']), artifacts, { sha256: '9'.repeat(64), status: 'stored' }, '/usr/bin/node');
    expect(desired.runAs).toBe('lanmcp');
    expect(desired.files[1]).toMatchObject({ path: '/etc/lanmcp-edge/config.json', mode: 0o640, readableBy: 'lanmcp' });
    expect(desired.polkitRule).toMatchObject({ path: '/etc/polkit-1/rules.d/50-lanmcp-edge.rules', mode: 0o644, showDiff: true });
    expect((desired.polkitRule!.source as { text: string }).text).toContain('["nginx.service"]');
    const unit = directives((desired.files[2]!.source as { text: string }).text);
    expect(unit).toEqual(expect.arrayContaining(['User=lanmcp', 'NoNewPrivileges=yes', 'RestrictSUIDSGID=yes', 'SystemCallArchitectures=native', 'LockPersonality=yes', 'MemoryMax=50%', 'TasksMax=4096']));
    for (const broken of ['ProtectSystem', 'MemoryDenyWriteExecute', 'SystemCallFilter', 'PrivateDevices', 'DynamicUser']) {
      expect(unit.map((l) => l.split('=')[0])).not.toContain(broken);
    }
  });

  it('run_as without services: no polkit rule', () => {
    expect(buildDesiredEdge(device('lanmcp', []), artifacts, undefined, undefined).polkitRule).toBeUndefined();
  });

  it('the unit renderer keeps sudo working for a non-root user unless told it is unprivileged', () => {
    const values = { device: 'kitchen-pi', version: '0.1.0', node_path: '/usr/bin/node', run_as: 'pi', memory_max: '50%', tasks_max: 4096 };
    expect(directives(renderEdgeUnit(template, values))).not.toContain('NoNewPrivileges=yes');
    expect(directives(renderEdgeUnit(template, { ...values, unprivileged: true }))).toContain('NoNewPrivileges=yes');
  });
});
