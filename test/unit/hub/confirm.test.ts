import { describe, expect, it } from 'vitest';
import { anyDeviceAsks, changesDevice, confirmPolicyOf, describeCall, needsConfirmation, planConfirmation, type ConfirmPolicy } from '../../../src/hub/confirm.js';
import { createElicitingConfirmer, readElicitResult, whyCannotElicit } from '../../../src/hub/confirm-elicit.js';
import { gateCalls } from '../../../src/hub/tools/confirm-gate.js';
import type { Device, EdgeDevice } from '../../../src/inventory/types.js';

const device = (name: string, confirm: ConfirmPolicy, runAs = 'root'): EdgeDevice =>
  ({ kind: 'edge', name, address: '10.0.0.1', tags: [], groups: [], state: 'present', edge: { port: 8766, run_as: runAs, tls: false, policy: { confirm } } }) as unknown as EdgeDevice;

// tool, arguments, changes the device?
const TABLE: [string, Record<string, unknown>, boolean][] = [
  ['run_command', { command: 'uptime' }, true],
  ['run_command', { argv: ['cat', '/etc/hostname'] }, true],
  ['write_file', { path: '/tmp/x', content: 'x' }, true],
  ['service', { unit: 'nginx', action: 'restart' }, true],
  ['service', { unit: 'nginx', action: 'stop' }, true],
  ['service', { unit: 'nginx', action: 'enable' }, true],
  ['service', { unit: 'nginx', action: 'status' }, false],
  ['read_file', { path: '/etc/hosts' }, false],
  ['list_dir', { path: '/' }, false],
  ['system_info', {}, false],
  ['logs', { unit: 'ssh' }, false],
  ['no_such_tool', {}, true],
];

describe('confirmation decision', () => {
  it.each(TABLE)('%s %j changes the device: %s', (tool, args, changes) => {
    expect(changesDevice(tool, args)).toBe(changes);
    expect(needsConfirmation('destructive', tool, args)).toBe(changes);
    expect(needsConfirmation('all', tool, args)).toBe(true);
    expect(needsConfirmation('never', tool, args)).toBe(false);
  });

  it('names only the devices that need a human, with the exact command and the user it runs as', () => {
    const devices: Device[] = [device('lab1', 'destructive'), device('lab2', 'never'), device('lab3', 'all', 'lanmcp'), device('lab4', 'destructive')];
    const calls = ['lab1', 'lab2', 'lab3', 'lab4'].map((d) => ({ device: d, tool: 'run_command', args: { command: 'systemctl restart nginx' } }));
    const plan = planConfirmation(calls, devices)!;
    expect(plan.devices).toEqual(['lab1', 'lab3', 'lab4']);
    expect(plan.message).toContain('Run on lab1, lab4 as root: systemctl restart nginx');
    expect(plan.message).toContain('Run on lab3 as lanmcp: systemctl restart nginx');
    expect(plan.message).not.toContain('lab2');
    expect(planConfirmation([{ device: 'lab1', tool: 'read_file', args: { path: '/etc/hosts' } }], devices)).toBeUndefined();
    expect(planConfirmation([{ device: 'unknown', tool: 'run_command', args: { command: 'x' } }], devices)).toBeUndefined();
  });

  it('anyDeviceAsks: false only when every device\'s policy is never; the first device of a name decides', () => {
    expect(anyDeviceAsks([device('lab1', 'never'), device('lab2', 'never')])).toBe(false);
    expect(anyDeviceAsks([device('lab1', 'never'), device('lab2', 'destructive')])).toBe(true);
    expect(confirmPolicyOf([device('lab1', 'all', 'deploy'), device('lab1', 'never')], 'lab1')).toEqual({ policy: 'all', runAs: 'deploy' });
    expect(confirmPolicyOf([device('lab1', 'all')], 'lab9')).toEqual({ policy: 'never', runAs: 'root' });
  });

  it('shows argv quoted, cwd, env names (not values), stdin and file content', () => {
    expect(describeCall('run_command', { argv: ['sh', '-c', "echo 'hi'"], cwd: '/srv', env: { TOKEN: 'secret' }, stdin: 'abc' }))
      .toBe(`sh -c 'echo '\\''hi'\\'''  (in /srv; env TOKEN; stdin "abc" (3 bytes))`);
    expect(describeCall('service', { unit: 'nginx', action: 'restart' })).toBe('systemctl restart nginx');
    expect(describeCall('write_file', { path: '/etc/motd', content: 'hello\n', mode: '0644' })).toBe('write /etc/motd (mode 0644): "hello\\n" (6 bytes)');
    expect(describeCall('write_file', { path: '/x', content: 'y'.repeat(1000) })).toMatch(/…\s\(1000 bytes\)$/);
    expect(describeCall('read_file', { path: '/etc/hosts' })).toBe('read_file {"path":"/etc/hosts"}');
  });
});

describe('elicitation answers', () => {
  it('approves only accept with approve: true', () => {
    expect(readElicitResult({ action: 'accept', content: { approve: true } }, 'c').decision).toBe('approved');
    expect(readElicitResult({ action: 'accept', content: { approve: false } }, 'c').decision).toBe('declined');
    expect(readElicitResult({ action: 'accept' }, 'c').decision).toBe('declined');
    expect(readElicitResult({ action: 'accept', content: { approve: 'true' } }, 'c').decision).toBe('declined');
    expect(readElicitResult({ action: 'decline' }, 'c').decision).toBe('declined');
    expect(readElicitResult({ action: 'cancel' }, 'c').decision).toBe('declined');
  });

  it('says why a caller cannot be asked', () => {
    expect(whyCannotElicit({ clientName: undefined, capabilities: undefined, streams: true })).toMatch(/stateless/);
    expect(whyCannotElicit({ clientName: 'x', capabilities: {}, streams: true })).toMatch(/x did not declare the elicitation capability/);
    expect(whyCannotElicit({ clientName: 'x', capabilities: { elicitation: {} }, streams: false })).toMatch(/plain JSON/);
    expect(whyCannotElicit({ clientName: 'x', capabilities: { elicitation: {} }, streams: true })).toBeUndefined();
  });

  it('a failed or timed-out question is a decline; no capability is a refusal without asking', async () => {
    const plan = { devices: ['lab1'], message: 'Run on lab1 as root: true' };
    const failing = createElicitingConfirmer({ clientName: 'c', capabilities: { elicitation: {} }, streams: true, send: async () => { throw new Error('Request timed out'); } });
    expect(await failing(plan)).toMatchObject({ decision: 'declined', by: 'c', reason: 'no answer: Request timed out' });
    let asked = 0;
    const unable = createElicitingConfirmer({ clientName: 'c', capabilities: {}, streams: true, send: async () => { asked++; return { action: 'accept', content: { approve: true } }; } });
    expect(await unable(plan)).toMatchObject({ decision: 'refused' });
    expect(asked).toBe(0);
  });
});

describe('confirmation gate', () => {
  const devices = [device('lab1', 'destructive')];
  const calls = [{ device: 'lab1', tool: 'run_command', args: { command: 'touch /tmp/m' } }];
  const context = (confirm?: () => Promise<{ decision: 'approved' | 'declined' | 'refused'; by: string }>) =>
    ({ signal: new AbortController().signal, forward: {}, ...(confirm ? { confirm } : {}) });

  it('blocks without a confirmer, passes on approval, blocks on decline with the client named', async () => {
    const none = await gateCalls(calls, devices, context());
    expect(none.blocked?.isError).toBe(true);
    expect(none.record).toMatchObject({ decision: 'refused', devices: ['lab1'] });
    const approved = await gateCalls(calls, devices, context(async () => ({ decision: 'approved', by: 'claude-code' })));
    expect(approved).toEqual({ record: { decision: 'approved', by: 'claude-code', devices: ['lab1'] } });
    const declined = await gateCalls(calls, devices, context(async () => ({ decision: 'declined', by: 'claude-code' })));
    expect((declined.blocked?.content?.[0] as { text: string }).text).toMatch(/^declined by the human on claude-code: nothing was run/);
    expect(await gateCalls([{ device: 'lab1', tool: 'read_file', args: { path: '/x' } }], devices, context())).toEqual({});
  });
});
