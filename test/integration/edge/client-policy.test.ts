import { describe, expect, it, vi } from 'vitest';
import type { RunRequest } from '../../../src/edge/system.js';
import { createFakeSystem } from '../../unit/edge/fake-system.js';
import { connectClient, testConfig, textOf } from '../../unit/edge/test-config.js';

/** A run that lasts until its signal aborts, reporting the abort as the real runner does. */
function runUntilAborted(request: RunRequest) {
  return new Promise<{ exitCode: null; signal: string; aborted: string }>((resolve) => {
    request.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', aborted: String(request.signal.reason) }), { once: true });
  });
}

describe('edge policy through an SDK Client', () => {
  it('read_only: write_file, mutating service actions and run_command without an allow list are refused, naming the rule', async () => {
    const { client, system } = await connectClient(testConfig({ read_only: true }), createFakeSystem({ '/etc/motd': '' }));
    const refusals = await Promise.all([
      client.callTool({ name: 'write_file', arguments: { path: '/etc/motd', content: 'x' } }),
      client.callTool({ name: 'service', arguments: { unit: 'ssh', action: 'restart' } }),
      client.callTool({ name: 'run_command', arguments: { argv: ['uptime'] } }),
    ]);
    expect(refusals.map((r) => [r.isError, textOf(r)])).toEqual([
      [true, 'refused by policy.read_only: this device is read-only'],
      [true, 'refused by policy.read_only: "restart" changes the system and this device is read-only'],
      [true, 'refused by policy.read_only: this device is read-only and has no commands.allow list, so run_command is disabled'],
    ]);
    expect(system.runs).toEqual([]);
    expect(system.nodes.get('/etc/motd')).toMatchObject({ data: Buffer.from('') });
    expect((await client.callTool({ name: 'service', arguments: { unit: 'ssh', action: 'status' } })).isError).toBeFalsy();
  });

  it('read_only with an allow list: only allowed commands run', async () => {
    const { client, system } = await connectClient(testConfig({ read_only: true, commands: { allow: ['uptime', 'df *'], deny: [] } }));
    expect((await client.callTool({ name: 'run_command', arguments: { argv: ['/usr/bin/uptime'] } })).isError).toBeFalsy();
    expect(textOf(await client.callTool({ name: 'run_command', arguments: { command: 'df -h; reboot' } }))).toBe('refused by policy.read_only: "reboot" matches no commands.allow pattern');
    expect(system.runs.map((r) => r.file)).toEqual(['/usr/bin/uptime']);
  });

  it('tools: disabled tools are not listed and calling one is refused', async () => {
    const { client } = await connectClient(testConfig({ tools: ['system_info', 'logs'] }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['system_info', 'logs']);
    const result = await client.callTool({ name: 'run_command', arguments: { argv: ['id'] } });
    expect(result).toMatchObject({ isError: true, content: [{ text: 'refused by policy.tools: the tool run_command is not enabled on this device' }] });
  });

  it('commands: deny wins over allow; anything not allowed is refused', async () => {
    const { client, system } = await connectClient(testConfig({ commands: { allow: ['systemctl *', 'apt-get *'], deny: ['systemctl poweroff', 'apt-get remove *'] } }));
    const texts = await Promise.all([
      client.callTool({ name: 'run_command', arguments: { argv: ['systemctl', 'poweroff'] } }),
      client.callTool({ name: 'run_command', arguments: { argv: ['apt-get', 'remove', 'openssh-server'] } }),
      client.callTool({ name: 'run_command', arguments: { argv: ['curl', 'http://x'] } }),
      client.callTool({ name: 'run_command', arguments: { argv: ['systemctl', 'restart', 'nginx'] } }),
    ]).then((rs) => rs.map(textOf));
    expect(texts.slice(0, 3)).toEqual([
      'refused by policy.commands.deny: matches the deny pattern "systemctl poweroff"',
      'refused by policy.commands.deny: matches the deny pattern "apt-get remove *"',
      'refused by policy.commands.allow: "curl http://x" matches no commands.allow pattern',
    ]);
    expect(texts[3]).toMatch(/^exit 0/);
    expect(system.runs).toHaveLength(1);
  });

  it('protected paths: no write into the edge\'s own files, no stopping its own unit, no command naming them', async () => {
    const system = createFakeSystem({ '/etc/lanmcp-edge/config.json': '{}', '/tmp/link': { type: 'symlink', target: '/etc/lanmcp-edge' } });
    const { client } = await connectClient(testConfig(), system);
    const texts = await Promise.all([
      client.callTool({ name: 'write_file', arguments: { path: '/tmp/link/config.json', content: '{"policy":{}}' } }),
      client.callTool({ name: 'write_file', arguments: { path: '/tmp/../etc/systemd/system/lanmcp-edge.service', content: '' } }),
      client.callTool({ name: 'service', arguments: { unit: 'lanmcp-edge', action: 'stop' } }),
      client.callTool({ name: 'run_command', arguments: { command: 'echo {} > /etc/lanmcp-edge/config.json' } }),
    ]).then((rs) => rs.map(textOf));
    expect(texts).toEqual([
      'refused by protected_paths: /etc/lanmcp-edge/config.json is inside /etc/lanmcp-edge, one of the edge\'s own files',
      'refused by protected_paths: /tmp/../etc/systemd/system/lanmcp-edge.service has "." or ".." segments; pass the absolute path without them (a ".." after a symlink could lead into the edge\'s own files)',
      'refused by protected_paths: the edge cannot stop its own unit',
      'refused by protected_paths: the command names /etc/lanmcp-edge, one of the edge\'s own files',
    ]);
    expect(system.nodes.get('/etc/lanmcp-edge/config.json')).toMatchObject({ data: Buffer.from('{}') });
  });

  it('max_concurrent: calls past the limit are refused at once, not queued', async () => {
    const { client, system } = await connectClient(testConfig({ max_concurrent: 2 }));
    system.onRun = runUntilAborted;
    const controller = new AbortController();
    const running = [1, 2].map(() => client.callTool({ name: 'run_command', arguments: { argv: ['sleep', '100'] } }, undefined, { signal: controller.signal }).catch(() => 'cancelled'));
    await vi.waitFor(() => expect(system.runs).toHaveLength(2));
    const third = await client.callTool({ name: 'system_info', arguments: {} });
    expect(third).toMatchObject({ isError: true, content: [{ text: 'refused by policy.max_concurrent: 2 calls are already running (limit 2); retry when one finishes' }] });
    controller.abort('test over');
    expect(await Promise.all(running)).toEqual(['cancelled', 'cancelled']);
    await vi.waitFor(() => expect(system.auditEntries().filter((e) => e.tool === 'run_command')).toHaveLength(2));
    expect((await client.callTool({ name: 'system_info', arguments: {} })).isError).toBeFalsy();
  });

  it('notifications/cancelled aborts the running call (its process group would be killed)', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = runUntilAborted;
    const controller = new AbortController();
    const call = client.callTool({ name: 'run_command', arguments: { command: 'sleep 100' } }, undefined, { signal: controller.signal });
    await vi.waitFor(() => expect(system.runs).toHaveLength(1));
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow(/user pressed stop/);
    expect(system.runs[0]!.signal.aborted).toBe(true);
    expect(String(system.runs[0]!.signal.reason)).toBe('cancelled: user pressed stop');
    await vi.waitFor(() => expect(system.auditEntries()[0]).toMatchObject({ tool: 'run_command', decision: 'allowed', exit_code: null }));
  });

  it('sends increasing progress notifications while a call runs (interval from config)', async () => {
    const { client, system } = await connectClient(testConfig({}, { progress_interval_ms: 15 }));
    system.onRun = () => new Promise((resolve) => setTimeout(() => resolve({ stdout: 'done' }), 250));
    const progress: number[] = [];
    const result = await client.callTool({ name: 'run_command', arguments: { command: 'apt-get upgrade -y' } }, undefined, {
      onprogress: (p) => progress.push(p.progress), resetTimeoutOnProgress: true,
    });
    expect(result.structuredContent).toMatchObject({ stdout: 'done' });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBe(progress.length);
  });

  it('writes one audit line per call with secrets redacted: env values, stdin and file contents', async () => {
    const { client, system } = await connectClient(testConfig({ tools: ['run_command', 'write_file'] }), createFakeSystem({ '/etc/x': '' }));
    await client.callTool({ name: 'run_command', arguments: { argv: ['psql'], env: { PGPASSWORD: 'hunter2' }, stdin: 'select secret' } });
    await client.callTool({ name: 'write_file', arguments: { path: '/etc/x', content: 'password=hunter2' } });
    await client.callTool({ name: 'logs', arguments: {} });
    const entries = system.auditEntries();
    expect(JSON.stringify(entries)).not.toContain('hunter2');
    expect(JSON.stringify(entries)).not.toContain('select secret');
    expect(entries.map(({ time, ...rest }) => (expect(Date.parse(time as string)).toBeGreaterThan(0), rest))).toEqual([
      { edge: 'call', tool: 'run_command', arguments: { argv: ['psql'], env: { PGPASSWORD: '[redacted]' }, stdin: { bytes: 13, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }, decision: 'allowed', exit_code: 0, bytes: 5, duration_ms: 5 },
      { edge: 'call', tool: 'write_file', arguments: { path: '/etc/x', content: { bytes: 16, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }, decision: 'allowed', bytes: 16, duration_ms: 5 },
      { edge: 'call', tool: 'logs', arguments: {}, decision: 'refused', rule: 'policy.tools', duration_ms: 5, message: 'refused by policy.tools: the tool logs is not enabled on this device' },
    ]);
  });
});
