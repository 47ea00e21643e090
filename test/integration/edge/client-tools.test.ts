import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '../../../src/edge/config.js';
import { createFakeSystem } from '../../unit/edge/fake-system.js';
import { connectClient, testConfig, textOf } from '../../unit/edge/test-config.js';

// An SDK Client against the edge in-process (fake system probes): every tool's happy path and error paths.
describe('edge tools through an SDK Client', () => {
  it('initializes at the latest protocol version and names itself', async () => {
    const { client } = await connectClient(testConfig());
    expect(LATEST_PROTOCOL_VERSION).toBe('2025-11-25');
    expect(client.getServerVersion()).toMatchObject({ name: 'lanmcp-edge' });
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
    expect(client.getInstructions()).toContain('kitchen-pi');
    await expect(client.ping()).resolves.toEqual({});
  });

  it('lists every tool with a description, input schema and annotations', async () => {
    const { client } = await connectClient(testConfig());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(Object.keys(tool.annotations!).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
    }
    expect(tools.find((t) => t.name === 'read_file')!.annotations!.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'run_command')!.annotations!.destructiveHint).toBe(true);
  });

  it('run_command: shell string via /bin/sh -c, argv without a shell, options passed through, policy timeout as the cap', async () => {
    const { client, system } = await connectClient(testConfig({ timeout_s: 30 }));
    const shell = await client.callTool({ name: 'run_command', arguments: { command: 'echo hi | wc -c', timeout_s: 999 } });
    expect(shell.isError).toBeFalsy();
    expect(shell.structuredContent).toMatchObject({ exit_code: 0, stdout: '/bin/sh -c echo hi | wc -c\n', timeout_s: 30, timed_out: false, cancelled: false });
    expect(textOf(shell)).toMatch(/^exit 0 · 3 ms\n--- stdout ---\n/);
    await client.callTool({ name: 'run_command', arguments: { argv: ['ls', '-l'], cwd: '/tmp', env: { SECRET: 's3cret' }, stdin: 'input', timeout_s: 5 } });
    expect(system.runs[1]).toMatchObject({ file: 'ls', args: ['-l'], cwd: '/tmp', env: { SECRET: 's3cret' }, stdin: 'input', timeoutMs: 5000, maxOutputBytes: 1_048_576 });
  });

  it('run_command: timeouts, cancellations and spawn failures are isError results that still carry the facts', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = () => ({ exitCode: null, signal: 'SIGTERM', timedOut: true, stdout: 'partial', stdoutTruncated: true, stdoutBytes: 9_000_000 });
    const timedOut = await client.callTool({ name: 'run_command', arguments: { command: 'yes' } });
    expect(timedOut.isError).toBe(true);
    expect(textOf(timedOut)).toContain('timed out after 60 s; process group killed');
    expect(textOf(timedOut)).toContain('[stdout truncated: 9000000 bytes written, first 7 shown]');
    expect(timedOut.structuredContent).toMatchObject({ timed_out: true, stdout_truncated: true, signal: 'SIGTERM' });
    system.onRun = () => ({ exitCode: null, spawnError: 'nosuch: not found (ENOENT)' });
    const missing = await client.callTool({ name: 'run_command', arguments: { argv: ['nosuch'] } });
    expect(missing).toMatchObject({ isError: true, content: [{ type: 'text', text: 'could not start the command: nosuch: not found (ENOENT)' }] });
  });

  it('run_command: a non-zero exit is an answer, not a tool error', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = () => ({ exitCode: 2, stderr: 'ls: cannot access' });
    const result = await client.callTool({ name: 'run_command', arguments: { argv: ['ls', '/nope'] } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('exit 2 · 3 ms\n--- stderr ---\nls: cannot access');
  });

  it('read_file: text, base64 for non-UTF-8, offset/length paging, the size cap, and missing files', async () => {
    const system = createFakeSystem({ '/etc/hostname': 'kitchen-pi\n', '/bin/blob': { type: 'file', data: Buffer.from([0xff, 0x00, 0xfe]), mode: 0o755 }, '/var/log/big': 'x'.repeat(5000) });
    const { client } = await connectClient(testConfig({ max_output_bytes: 2048 }), system);
    expect((await client.callTool({ name: 'read_file', arguments: { path: '/etc/hostname' } })).structuredContent)
      .toEqual({ path: '/etc/hostname', size: 11, offset: 0, length: 11, encoding: 'utf8', content: 'kitchen-pi\n', truncated: false });
    expect((await client.callTool({ name: 'read_file', arguments: { path: '/bin/blob' } })).structuredContent).toMatchObject({ encoding: 'base64', content: '/wD+' });
    const capped = await client.callTool({ name: 'read_file', arguments: { path: '/var/log/big', offset: 1000, length: 99999 } });
    expect(capped.structuredContent).toMatchObject({ size: 5000, offset: 1000, length: 2048, truncated: true });
    expect(textOf(capped)).toContain('[2048 of 5000 bytes from offset 1000; more remains]');
    expect(await client.callTool({ name: 'read_file', arguments: { path: '/nope' } })).toMatchObject({ isError: true, content: [{ text: 'read_file /nope: no such file or directory (ENOENT)' }] });
  });

  it('write_file: text or base64, mode and create_dirs; missing parent without create_dirs fails', async () => {
    const { client, system } = await connectClient(testConfig(), createFakeSystem({ '/etc/hostname': 'kitchen-pi\n' }));
    const wrote = await client.callTool({ name: 'write_file', arguments: { path: '/etc/motd', content: 'hello\n', mode: '0640' } });
    expect(wrote.structuredContent).toEqual({ path: '/etc/motd', bytes: 6, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    expect(system.nodes.get('/etc/motd')).toEqual({ type: 'file', data: Buffer.from('hello\n'), mode: 0o640 });
    await client.callTool({ name: 'write_file', arguments: { path: '/srv/a/b/bin', content: '/wD+', encoding: 'base64', create_dirs: true } });
    expect(system.nodes.get('/srv/a/b/bin')).toMatchObject({ data: Buffer.from([0xff, 0x00, 0xfe]) });
    expect(await client.callTool({ name: 'write_file', arguments: { path: '/nope/x', content: '' } })).toMatchObject({ isError: true, content: [{ text: 'write_file /nope/x: no such file or directory (ENOENT)' }] });
  });

  it('list_dir: entries sorted by name, hidden ones optional, missing directory fails', async () => {
    const { client } = await connectClient(testConfig(), createFakeSystem({ '/home/pi/b.txt': 'bb', '/home/pi/.hidden': '', '/home/pi/a': { type: 'dir' } }));
    const all = await client.callTool({ name: 'list_dir', arguments: { path: '/home/pi' } });
    expect((all.structuredContent as { entries: { name: string }[] }).entries.map((e) => e.name)).toEqual(['.hidden', 'a', 'b.txt']);
    const visible = await client.callTool({ name: 'list_dir', arguments: { path: '/home/pi', show_hidden: false } });
    expect(visible.structuredContent).toMatchObject({ total: 2, truncated: false, entries: [{ name: 'a', type: 'dir' }, { name: 'b.txt', type: 'file', size: 2, mode: '0644' }] });
    expect(textOf(visible)).toContain('- 0644          2 2024-05-01T10:00:00.000Z b.txt');
    expect((await client.callTool({ name: 'list_dir', arguments: { path: '/nope' } })).isError).toBe(true);
  });

  it('system_info: parsed facts as text and structured content', async () => {
    const { client } = await connectClient(testConfig());
    const result = await client.callTool({ name: 'system_info', arguments: {} });
    expect(result.structuredContent).toMatchObject({ hostname: 'kitchen-pi', arch: 'arm64', cpu_temperature_c: 48.3, memory: { available_bytes: 2_048_000_000 } });
    expect(textOf(result)).toContain('kitchen-pi: Debian GNU/Linux 12 (bookworm), kernel 6.1.0-rpi7-rpi-v8 (arm64), Node v18.19.0');
  });

  it('service: runs systemctl by argv and reports the unit state; status exit 3 (inactive) is not an error', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = (r) => (r.args[0] === 'show'
      ? { stdout: 'LoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=enabled\nDescription=OpenBSD Secure Shell server\nMainPID=0\n' }
      : { exitCode: r.args[0] === 'status' ? 3 : 0, stdout: r.args[0] === 'status' ? '○ ssh.service - OpenBSD Secure Shell server' : '' });
    const status = await client.callTool({ name: 'service', arguments: { unit: 'ssh', action: 'status' } });
    expect(status.isError).toBeFalsy();
    expect(status.structuredContent).toMatchObject({ unit: 'ssh', action: 'status', exit_code: 3, load_state: 'loaded', active_state: 'inactive', unit_file_state: 'enabled' });
    expect(system.runs.map((r) => [r.file, ...r.args])).toEqual([
      ['systemctl', 'status', '--no-pager', '--lines=20', 'ssh'],
      ['systemctl', 'show', '--property=LoadState,ActiveState,SubState,UnitFileState,Description,MainPID', 'ssh'],
    ]);
    await client.callTool({ name: 'service', arguments: { unit: 'nginx.service', action: 'restart' } });
    expect(system.runs[2]!.args).toEqual(['restart', 'nginx.service']);
  });

  it('service: a failing action, an unknown unit and an invalid unit name are errors', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = (r) => (r.args[0] === 'show' ? { stdout: 'LoadState=not-found\nActiveState=inactive\n' } : { exitCode: 5, stderr: 'Unit nosuch.service not found.' });
    expect(textOf(await client.callTool({ name: 'service', arguments: { unit: 'nosuch', action: 'start' } }))).toMatch(/^service: unit nosuch not found/);
    system.onRun = (r) => (r.args[0] === 'show' ? { stdout: 'LoadState=loaded\n' } : { exitCode: 1, stderr: 'Job failed' });
    expect(textOf(await client.callTool({ name: 'service', arguments: { unit: 'nginx', action: 'start' } }))).toMatch(/^service: systemctl start nginx failed \(exit 1\)/);
    const bad = await client.callTool({ name: 'service', arguments: { unit: '--now; reboot', action: 'stop' } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^invalid arguments for service: arguments\.unit: must match/);
  });

  it('logs: journalctl argv from unit, lines, since and priority; failures report stderr', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = () => ({ stdout: '2024-05-01T10:00:00+0000 kitchen-pi sshd[1]: Server listening\n' });
    const result = await client.callTool({ name: 'logs', arguments: { unit: 'ssh', lines: 5, since: '-1h', priority: 'err' } });
    expect(system.runs[0]).toMatchObject({ file: 'journalctl', args: ['--no-pager', '--output=short-iso', '--lines=5', '--unit=ssh', '--since=-1h', '--priority=err'] });
    expect(result.structuredContent).toMatchObject({ unit: 'ssh', lines: 5, truncated: false, exit_code: 0 });
    system.onRun = () => ({ exitCode: 1, stderr: 'Failed to parse timestamp: yesterdayish' });
    expect(textOf(await client.callTool({ name: 'logs', arguments: { since: 'yesterdayish' } }))).toContain('Failed to parse timestamp');
    expect((await client.callTool({ name: 'logs', arguments: { since: '$(reboot)' } })).isError).toBe(true);
  });

  it('an unknown tool is a JSON-RPC invalid-params error; bad arguments are an isError result', async () => {
    const { client } = await connectClient(testConfig());
    await expect(client.callTool({ name: 'format_disk', arguments: {} })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool: format_disk') });
    const both = await client.callTool({ name: 'run_command', arguments: { command: 'x', argv: ['x'] } });
    expect(both).toMatchObject({ isError: true, content: [{ text: 'invalid arguments: pass either command or argv, not both' }] });
    const typo = await client.callTool({ name: 'read_file', arguments: { pth: '/x' } });
    expect(textOf(typo)).toBe('invalid arguments for read_file: arguments.path: is required; arguments.pth: unknown argument');
  });

  it('a probe that fails or throws becomes an isError result, and the edge keeps serving', async () => {
    const { client, system } = await connectClient(testConfig());
    system.onRun = () => ({ exitCode: null, spawnError: 'systemctl: not found (ENOENT)' });
    expect(textOf(await client.callTool({ name: 'service', arguments: { unit: 'ssh', action: 'status' } }))).toBe('service: could not run systemctl: systemctl: not found (ENOENT)');
    expect(textOf(await client.callTool({ name: 'logs', arguments: {} }))).toBe('logs: could not run journalctl: systemctl: not found (ENOENT)');
    system.onRun = () => { throw new Error('fork failed: EAGAIN'); };
    expect(await client.callTool({ name: 'run_command', arguments: { argv: ['true'] } })).toMatchObject({ isError: true, content: [{ text: 'run_command: internal error: fork failed: EAGAIN' }] });
    system.facts = () => Promise.reject(Object.assign(new Error('EACCES: /proc/meminfo'), { code: 'EACCES' }));
    expect(textOf(await client.callTool({ name: 'system_info', arguments: {} }))).toBe('system_info: permission denied (EACCES)');
    expect(system.auditEntries().map((e) => e.decision)).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    await expect(client.ping()).resolves.toEqual({});
  });
});
