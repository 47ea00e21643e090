import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/lab/run.js';
import { copyToDevice, deviceExec, freshDevice, getLab, labDevice, rebootDevice, sshArgs } from './lab-helpers.js';

// Real devices (systemd-nspawn, Debian bookworm) from global-setup.ts; the real `ssh` client with
// StrictHostKeyChecking=yes against the lab's generated known_hosts.
const ssh = (device: string, user: string, command: string) =>
  runCommand(['ssh', ...sshArgs(device, user), command], { allowFailure: true, timeoutMs: 30_000 });

const UNIT = `[Unit]
Description=lab test greeter

[Service]
ExecStart=/bin/sh -c 'echo "lab-greeter says hello"; exec sleep infinity'

[Install]
WantedBy=multi-user.target
`;

describe('the lab', () => {
  it('lets root and deploy in over SSH; deploy has passwordless sudo', async () => {
    const root = await ssh('lab2', 'root', 'id -un; hostname');
    expect(root).toMatchObject({ code: 0, stdout: 'root\nlab2\n' });
    const deploy = await ssh('lab2', 'deploy', 'id -un; sudo -n id -un');
    expect(deploy).toMatchObject({ code: 0, stdout: 'deploy\nroot\n' });
  });

  it('fails fast when sudo needs a password (pwsudo)', async () => {
    const started = Date.now();
    const result = await ssh('lab2', 'pwsudo', 'sudo -n true');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/password is required/);
    // Fails fast rather than waiting for a password (sudo's prompt would hang for minutes).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses a device whose host key is not in known_hosts', async () => {
    const args = sshArgs('lab2', 'root').map((arg) => (arg.startsWith('UserKnownHostsFile=') ? 'UserKnownHostsFile=/dev/null' : arg));
    const result = await runCommand(['ssh', ...args, 'true'], { allowFailure: true, timeoutMs: 30_000 });
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/Host key verification failed/);
  });

  it('has no route out of the lab', async () => {
    const routes = await deviceExec('lab2', 'ip route');
    expect(routes.code).toBe(0);
    expect(routes.stdout).not.toMatch(/default/);
    expect(routes.stdout).toContain(`dev eth0 proto kernel scope link src ${labDevice('lab2').address}`);
    expect((await deviceExec('lab2', 'ip -6 route')).stdout).not.toMatch(/default/);
    const outside = await deviceExec('lab2', 'ip route get 192.0.2.1');
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/unreachable/i);
  });

  it('runs a unit with systemctl enable --now, logs it to the journal, and keeps it across a reboot', async () => {
    await freshDevice('lab1');
    const put = await ssh('lab1', 'deploy', `sudo -n tee /etc/systemd/system/lab-greeter.service >/dev/null <<'EOF'\n${UNIT}EOF\nsudo -n systemctl enable --now lab-greeter.service`);
    expect(put).toMatchObject({ code: 0 });
    expect((await deviceExec('lab1', 'systemctl is-active lab-greeter')).stdout.trim()).toBe('active');
    await expect.poll(async () => (await ssh('lab1', 'root', 'journalctl -u lab-greeter --no-pager -o cat')).stdout, { timeout: 5000 })
      .toContain('lab-greeter says hello');

    const rebootMs = await rebootDevice('lab1');
    expect(rebootMs).toBeLessThan(30_000);
    await expect.poll(async () => (await deviceExec('lab1', 'systemctl is-active lab-greeter')).stdout.trim(), { timeout: 10_000 }).toBe('active');
    expect((await ssh('lab1', 'root', 'systemctl is-system-running --wait')).stdout.trim()).toBe('running');
  });

  it('freshDevice wipes every change but keeps the host key', async () => {
    await deviceExec('lab1', 'echo changed > /etc/lab-marker && systemctl enable --now lab-greeter 2>/dev/null; true');
    const started = Date.now();
    await freshDevice('lab1');
    const freshMs = Date.now() - started;
    expect(freshMs).toBeLessThan(5000);
    const after = await ssh('lab1', 'root', 'test -e /etc/lab-marker; echo marker=$?; systemctl is-enabled lab-greeter 2>&1; true');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('marker=1');
    expect(after.stdout).not.toMatch(/^enabled/m);
  });

  it('copies files onto a device and runs commands there as any user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-copy-'));
    try {
      await writeFile(join(dir, 'tool.sh'), '#!/bin/sh\necho "tool ran as $(id -un)"\n', { mode: 0o755 });
      await copyToDevice('lab2', join(dir, 'tool.sh'), '/opt/lab-test/bin/tool.sh');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await deviceExec('lab2', 'stat -c %a /opt/lab-test/bin/tool.sh && /opt/lab-test/bin/tool.sh')).toMatchObject({ code: 0, stdout: '755\ntool ran as root\n' });
    expect(await deviceExec('lab2', '/opt/lab-test/bin/tool.sh; exit 3', { user: 'deploy' })).toMatchObject({ code: 3, stdout: 'tool ran as deploy\n' });
    expect(await deviceExec('lab2', 'cat', { input: 'through stdin' })).toMatchObject({ code: 0, stdout: 'through stdin' });
    await deviceExec('lab2', 'rm -rf /opt/lab-test');
  });

  it('writes an inventory in the schema shape for every device', async () => {
    const lab = getLab();
    const text = await readFile(lab.inventory, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\/.*\/schemas\/inventory\.schema\.json\n/);
    expect(text).toContain(`  ssh: { user: root, identity_file: ${lab.ssh_key}, known_hosts: ${lab.known_hosts} }`);
    for (const device of lab.devices) expect(text).toContain(`  ${device.name}: { address: ${device.address}, `);
    const knownHosts = await readFile(lab.known_hosts, 'utf8');
    expect(knownHosts.trim().split('\n')).toHaveLength(lab.devices.length);
  });
});
