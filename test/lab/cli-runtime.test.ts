// `lanmcp status` and `lanmcp exec` on real devices: they work with sshd stopped (runtime never uses SSH),
// report down / auth-failed / no-token, and carry the edge's timeout kill, output cap and policy refusals.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/cli/views/exec-view.js';
import type { StatusRow } from '../../src/cli/views/status-view.js';
import { deviceExec, freshDevice, labDevice } from './lab-helpers.js';
import { writeLabInventory } from './provision-helpers.js';
import { runLanmcp } from '../support/cli.js';

const DEVICES = ['lab3', 'lab4'];

const lanmcp = (...argv: string[]) => runLanmcp(argv);

/** Whether something accepts TCP connections at address:port. */
function listening(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

describe('lanmcp status and exec on real devices', () => {
  let inventory: string;
  const tokenFile = (device: string) => join(dirname(inventory), '.lanmcp', 'tokens', `${device}.token`);

  beforeAll(async () => {
    await Promise.all(DEVICES.map(freshDevice));
    inventory = writeLabInventory(DEVICES.map((name) => ({ name })), { defaultsEdge: '{ policy: { max_output_bytes: 1024, commands: { deny: ["reboot"] } } }' });
    const apply = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
  });
  afterAll(async () => {
    await Promise.all(DEVICES.map((d) => deviceExec(d, 'systemctl start ssh.socket ssh.service lanmcp-edge 2>/dev/null; true')));
  });

  it('works with sshd stopped on every device: runtime is HTTP only', async () => {
    for (const d of DEVICES) await deviceExec(d, 'systemctl stop ssh.socket ssh.service 2>/dev/null; true');
    for (const d of DEVICES) expect(await listening(labDevice(d).address, 22)).toBe(false);
    const status = await lanmcp('status', '-i', inventory, '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(status.jsonLines<StatusRow>().map((r) => [r.name, r.status])).toEqual(DEVICES.map((d) => [d, 'up']));
    const exec = await lanmcp('exec', 'all', '-i', inventory, '--', 'uname', '-n');
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout.split('\n').sort().join('\n')).toBe(['', 'lab3 | lab3', 'lab4 | lab4'].join('\n'));
    for (const d of DEVICES) await deviceExec(d, 'systemctl start ssh.service');
  });

  it('exec --timeout: the device kills the process group and the row says timed out', async () => {
    const started = Date.now();
    const run = await lanmcp('exec', 'lab3', '-i', inventory, '--json', '--timeout', '1', '--', 'sleep 30 & sleep 30; wait');
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.jsonLines<ExecResult>()).toEqual([expect.objectContaining({ host: 'lab3', ok: false, exit_code: null, timed_out: true })]);
    // SIGKILL is delivered at once, but the killed processes may linger for a moment before they are reaped.
    let left = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      left = (await deviceExec('lab3', 'ps -eo pid,stat,args | grep "[s]leep 30" || echo none')).stdout.trim();
      if (left === 'none') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe('none');
  });

  it("exec caps output at the device's max_output_bytes and flags it", async () => {
    const run = await lanmcp('exec', 'lab4', '-i', inventory, '--json', '--', 'head -c 5000 /dev/zero | tr "\\0" x');
    expect(run.code, run.stderr).toBe(0);
    const [row] = run.jsonLines<ExecResult>();
    expect(row).toMatchObject({ ok: true, exit_code: 0, truncated: true, stdout_truncated: true });
    expect(row!.stdout).toBe('x'.repeat(1024));
    const text = await lanmcp('exec', 'lab4', '-i', inventory, '--', 'head -c 5000 /dev/zero | tr "\\0" x');
    expect(text.stderr).toMatch(/^lab4 ! \[stdout truncated at the device's max_output_bytes\]$/m);
  });

  it("exec shows the device's policy refusal, marked on stderr", async () => {
    const run = await lanmcp('exec', 'lab4', '-i', inventory, '--', 'reboot');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lab4 ! lab4: .*deny pattern "reboot"/m);
    expect(run.stderr).toMatch(/^✗ lab4  did not run \(lab4: .*\) · \d+ ms$/m);
  });

  it('status says down, auth-failed and no-token, and exits 1', async () => {
    const saved = readFileSync(tokenFile('lab3'), 'utf8');
    await deviceExec('lab4', 'systemctl stop lanmcp-edge');
    try {
      writeFileSync(tokenFile('lab3'), 'lme_not-the-token-of-lab3-00000000000000\n');
      const refused = await lanmcp('status', '-i', inventory, '--json');
      expect(refused.code).toBe(1);
      expect(refused.jsonLines<StatusRow>()).toEqual([
        expect.objectContaining({ name: 'lab3', status: 'auth-failed', version: expect.any(String) }),
        expect.objectContaining({ name: 'lab4', status: 'down', error: expect.stringMatching(/ECONNREFUSED/) }),
      ]);
      rmSync(tokenFile('lab3'));
      const missing = await lanmcp('status', '-i', inventory, '--limit', 'lab3');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^lab3\s+edge\s+✗ no-token\s/m);
    } finally {
      writeFileSync(tokenFile('lab3'), saved, { mode: 0o600 });
      await deviceExec('lab4', 'systemctl start lanmcp-edge');
    }
    // A restarted edge needs a moment before it listens.
    let statuses: string[] = [];
    for (let attempt = 0; attempt < 50 && statuses.join() !== 'up,up'; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200));
      statuses = (await lanmcp('status', '-i', inventory, '--json')).jsonLines<StatusRow>().map((r) => r.status);
    }
    expect(statuses).toEqual(['up', 'up']);
  });
});
