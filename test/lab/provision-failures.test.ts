import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deviceExec, freshDevice, getLab } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

describe('apply: one failing device never stops the others', () => {
  beforeAll(async () => {
    await Promise.all(['lab1', 'lab2', 'lab3', 'lab4'].map(freshDevice));
  });

  it('unreachable, changed host key, sudo with a password and no Node each fail with one clear reason; the rest converge', async () => {
    const lab = getLab();
    const lab1 = lab.devices.find((d) => d.name === 'lab1')!;
    const unused = lab1.address.replace(/\.\d+$/, '.250');
    // lab3's known_hosts entry is replaced by lab2's key: exactly what a reinstalled or spoofed device looks like.
    const knownHosts = readFileSync(lab.known_hosts, 'utf8');
    const lab2Key = knownHosts.split('\n').find((l) => l.includes(',lab2 '))!.split(' ').slice(1).join(' ');
    const lab3Address = lab.devices.find((d) => d.name === 'lab3')!.address;
    const forged = `${knownHosts.split('\n').filter((l) => !l.includes(',lab3 ')).join('\n')}\n${lab3Address},lab3 ${lab2Key}\n`;
    const forgedFile = `${lab.known_hosts}.forged-${process.pid}`;
    writeFileSync(forgedFile, forged);
    await deviceExec('lab4', 'mv /usr/bin/node /usr/bin/node.hidden');

    const inventory = writeLabInventory([
      { name: 'lab1' },
      { name: 'lab2', extra: 'ssh: { user: pwsudo }' },
      { name: 'lab3', extra: `ssh: { known_hosts: ${forgedFile} }` },
      { name: 'lab4' },
      { name: 'ghost', address: unused },
    ]);
    const started = Date.now();
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stderr).toMatch(/lab1 +: ok=8 changed=8 unreachable=0 failed=0/);
    expect(run.stderr).toMatch(/lab2 +: ok=0 changed=0 unreachable=0 failed=1/);
    expect(run.stderr).toMatch(/lab3 +: ok=0 changed=0 unreachable=0 failed=1/);
    expect(run.stderr).toMatch(/lab4 +: ok=0 changed=0 unreachable=0 failed=1/);
    expect(run.stderr).toMatch(/ghost +: ok=0 changed=0 unreachable=1 failed=0/);
    expect(run.stderr).toMatch(/lab2: error E_SUDO_PASSWORD/);
    expect(run.stderr).toMatch(/lab3: error E_SSH_HOSTKEY_CHANGED: .*SHA256:.*SHA256:/);
    expect(run.stderr).toMatch(/lab4: error E_DEVICE_UNSUPPORTED: Node\.js ≥ 18 is required/);
    expect(run.stderr).toMatch(/ghost: error E_SSH_UNREACHABLE/);
    expect((await deviceExec('lab1', 'systemctl is-active lanmcp-edge')).stdout.trim()).toBe('active');
    expect((await deviceExec('lab4', 'ls /opt/lanmcp-edge 2>&1; mv /usr/bin/node.hidden /usr/bin/node')).stdout).toMatch(/No such file/);
  });

  it('a broken edge triggers a rollback and the device keeps serving the previous version, TLS key and pin included', async () => {
    const inventory = writeLabInventory([{ name: 'lab1' }]);
    expect((await lanmcp('apply', '-i', inventory, '--yes', '--no-hub')).code).toBe(0);
    const files = '/etc/lanmcp-edge/config.json /etc/systemd/system/lanmcp-edge.service /etc/lanmcp-edge/tls/key.pem /etc/lanmcp-edge/tls/cert.pem';
    const before = (await deviceExec('lab1', `sha256sum ${files}`)).stdout;
    // Port 22 is taken by sshd on the device: the new edge cannot listen, so verification must fail.
    const broken = writeLabInventory([{ name: 'lab1', extra: 'edge: { port: 22 }' }]);
    const { cpSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    cpSync(join(dirname(inventory), '.lanmcp'), join(dirname(broken), '.lanmcp'), { recursive: true });
    const pinFile = join(dirname(inventory), '.lanmcp', 'tokens', 'lab1.pin');
    const pin = readFileSync(pinFile, 'utf8');
    // With --rotate-tokens a new key is generated before the failed check: the rollback must put the old one back.
    const run = await lanmcp('apply', '-i', broken, '--yes', '--no-hub', '--rotate-tokens', 'lab1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/lab1: error E_VERIFY_FAILED: .*rolled back: the previous version is running again/);
    expect((await deviceExec('lab1', `sha256sum ${files}`)).stdout).toBe(before);
    expect((await deviceExec('lab1', 'systemctl is-active lanmcp-edge; ls -A /etc/lanmcp-edge /etc/lanmcp-edge/tls')).stdout).toBe('active\n/etc/lanmcp-edge:\nconfig.json\ntls\n\n/etc/lanmcp-edge/tls:\ncert.pem\nkey.pem\n');
    expect(readFileSync(join(dirname(broken), '.lanmcp', 'tokens', 'lab1.pin'), 'utf8')).toBe(pin);
    expect(readFileSync(pinFile, 'utf8')).toBe(pin);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });

  it('state: absent stops the edge and leaves no trace on the device or in .lanmcp/', async () => {
    const inventory = writeLabInventory([{ name: 'lab1' }]);
    expect((await lanmcp('apply', '-i', inventory, '--yes', '--no-hub')).code).toBe(0);
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(/(lab1: \{ address: [^ ]+)/, '$1, state: absent'));
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('Plan: 0 to provision, 0 to update, 1 to remove, 0 unchanged, 0 unreachable.');
    expect((await lanmcp('apply', '-i', inventory, '--yes', '--no-hub')).code).toBe(0);
    const trace = await deviceExec('lab1', 'ls -d /opt/lanmcp-edge /etc/lanmcp-edge /var/lib/lanmcp-edge /etc/systemd/system/lanmcp-edge.service 2>/dev/null; systemctl list-units --all --no-legend "lanmcp*"; ls -a /etc/systemd/system | grep lanmcp');
    expect(trace.stdout).toBe('');
    const { existsSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    expect(existsSync(join(dirname(inventory), '.lanmcp', 'tokens', 'lab1.token'))).toBe(false);
    expect(existsSync(join(dirname(inventory), '.lanmcp', 'tokens', 'lab1.pin'))).toBe(false);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });
});
