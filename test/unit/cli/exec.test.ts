import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCommand } from '../../../src/cli/commands/exec.js';
import { execExitCode, planExecResult, renderExecOutput, renderExecSummary, type ExecResult } from '../../../src/cli/views/exec-view.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN } from '../../integration/hub/hub-helpers.js';
import { runLanmcp } from '../../support/cli.js';

const run = (argv: string[], cwd: string) => runLanmcp(argv, { cwd, commands: [execCommand] });

// Fake edges (the fixture answers run_command with "<device>: <command>", exit 3 for "fail"), told apart by
// address since the inventory refuses duplicates; `down` points at a closed port.
let a: FakeEdge;
let b: FakeEdge;
let dir: string;

beforeAll(async () => {
  a = await startFakeEdge('a', EDGE_TOKEN);
  b = await startFakeEdge('b', EDGE_TOKEN);
  const gone = await startFakeEdge('gone', EDGE_TOKEN);
  await gone.stop();
  dir = mkdtempSync(join(tmpdir(), 'lanmcp-exec-'));
  writeFileSync(join(dir, 'inventory.yaml'), [
    'version: 1',
    'defaults: { edge: { tls: false } }',
    'groups:',
    '  pair: { hosts: [a, b] }',
    'hosts:',
    `  a: { address: 127.0.0.1, edge: { port: ${a.port} } }`,
    `  b: { address: localhost, edge: { port: ${b.port} } }`,
    `  down: { address: 127.0.0.3, edge: { port: ${gone.port} } }`,
    '  ha: { kind: mcp, url: "http://127.0.0.1:9/api/mcp" }',
    '',
  ].join('\n'));
  mkdirSync(join(dir, '.lanmcp', 'tokens'), { recursive: true });
  for (const name of ['a', 'b', 'down']) writeFileSync(join(dir, '.lanmcp', 'tokens', `${name}.token`), `${EDGE_TOKEN}\n`);
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

describe('lanmcp exec', () => {
  it('sends several words as argv and one word as a shell string, prefixing each line with the device', async () => {
    const many = await run(['exec', 'pair', '--', 'uname', '-a'], dir);
    expect(many.code).toBe(0);
    expect(many.stdout.split('\n').sort().join('\n')).toBe(['', 'a | a: uname -a', 'b | b: uname -a'].join('\n'));
    expect(a.calls.at(-1)).toMatchObject({ tool: 'run_command', args: { argv: ['uname', '-a'] } });
    await run(['exec', 'a', '--', 'ls /etc | wc -l'], dir);
    expect(a.calls.at(-1)).toMatchObject({ tool: 'run_command', args: { command: 'ls /etc | wc -l' } });
    expect(many.stderr).toMatch(/Selected 2\/4 devices: a, b/);
    expect(many.stderr).toMatch(/^✓ a  exit 0 · \d+ ms$/m);
    expect(many.stderr).toMatch(/^2 ok, 0 failed$/m);
  });

  it('exits with the single device\'s own status (3), and names a down device in its row', async () => {
    const failed = await run(['exec', 'a', '--', 'fail'], dir);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/^✗ a  exit 3 · \d+ ms$/m);
    const all = await run(['exec', 'all', '--json', '--timeout', '5', '--', 'hostname'], dir);
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/Skipping ha: no edge to run commands on/);
    const rows = all.jsonLines<ExecResult>().sort((x, y) => x.host.localeCompare(y.host));
    expect(rows.map((r) => [r.host, r.ok, r.exit_code])).toEqual([['a', true, 0], ['b', true, 0], ['down', false, null]]);
    expect(rows[0]).toEqual({
      host: 'a', ok: true, exit_code: 0, signal: null, stdout: 'a: hostname', stderr: '', truncated: false,
      stdout_truncated: false, stderr_truncated: false, timed_out: false, duration_ms: rows[0]!.duration_ms,
    });
    expect(rows[2]!.error).toMatch(/^device down is down: .*ECONNREFUSED/);
    expect(a.calls.at(-1)!.args).toEqual({ command: 'hostname', timeout_s: 5 });
  });

  it("writes each call to the hub's audit log as cli:lanmcp-exec", async () => {
    await run(['exec', 'b', '--', 'echo', 'audited'], dir);
    const lines = readFileSync(join(dir, '.lanmcp', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ token: 'cli:lanmcp-exec', tool: 'run_command', devices: ['b'], command: 'echo audited', outcome: 'ok' });
  });

  it('refuses bad usage with a clear error', async () => {
    expect((await run(['exec', 'a'], dir)).stderr).toMatch(/error E_USAGE: lanmcp exec needs a TARGET and a command after --/);
    expect((await run(['exec', 'a', '--timeout', '0', '--', 'x'], dir)).stderr).toMatch(/--timeout "0" is not a whole number of seconds/);
    expect((await run(['exec', 'ha', '--', 'x'], dir)).stderr).toMatch(/error E_LIMIT_NO_MATCH: "ha" selects no present edge device/);
    expect((await run(['exec', 'nope', '--', 'x'], dir)).stderr).toMatch(/error E_LIMIT_NO_MATCH/);
  });
});

describe('exec views', () => {
  const ok = planExecResult('lab1', { exit_code: 0, signal: null, stdout: 'one\ntwo\n', stderr: 'warn\n', stdout_truncated: true, stderr_truncated: false, timed_out: false }, false, 'exit 0', 12);
  const down = planExecResult('kitchen-pi', undefined, true, 'device kitchen-pi is down: connect ECONNREFUSED 10.0.0.21:8766\nmore', 1500);
  const killed = planExecResult('nas', { exit_code: null, signal: 'SIGKILL', stdout: '', stderr: '', stdout_truncated: false, stderr_truncated: false, timed_out: true }, true, 'timed out after 5 s; process group killed · 5003 ms', 5004);

  it('plans results from edge output, failures and timeouts', () => {
    expect(ok).toMatchObject({ ok: true, truncated: true, exit_code: 0 });
    expect(ok.error).toBeUndefined();
    expect(down).toMatchObject({ ok: false, exit_code: null, error: 'device kitchen-pi is down: connect ECONNREFUSED 10.0.0.21:8766' });
    expect(killed).toMatchObject({ ok: false, timed_out: true, signal: 'SIGKILL', error: 'timed out after 5 s; process group killed · 5003 ms' });
    expect(planExecResult('x', { exit_code: 2, signal: null, stdout: '', stderr: '', stdout_truncated: false, stderr_truncated: false, timed_out: false }, false, 'exit 2', 1).error).toBe('exit 2');
  });

  it('prefixes lines, marks stderr and truncation, and summarizes', () => {
    expect(renderExecOutput(ok, 10)).toEqual({
      stdout: 'lab1       | one\nlab1       | two\n',
      stderr: "lab1       ! warn\nlab1       ! [stdout truncated at the device's max_output_bytes]\n",
    });
    expect(renderExecOutput(down)).toEqual({ stdout: '', stderr: 'kitchen-pi ! device kitchen-pi is down: connect ECONNREFUSED 10.0.0.21:8766\n' });
    expect(renderExecSummary([ok, down, killed])).toBe([
      '✓ lab1        exit 0 · 12 ms · output truncated',
      '✗ kitchen-pi  did not run (device kitchen-pi is down: connect ECONNREFUSED 10.0.0.21:8766) · 1500 ms',
      '✗ nas         timed out (timed out after 5 s; process group killed · 5003 ms) · 5004 ms',
      '1 ok, 2 failed',
      '',
    ].join('\n'));
  });

  it("exits with a single device's code, else 0 only when all succeeded", () => {
    const three = planExecResult('x', { exit_code: 3, signal: null, stdout: '', stderr: '', stdout_truncated: false, stderr_truncated: false, timed_out: false }, false, '', 1);
    expect(execExitCode([three])).toBe(3);
    expect(execExitCode([down])).toBe(1);
    expect(execExitCode([ok, ok])).toBe(0);
    expect(execExitCode([ok, three])).toBe(1);
  });
});
