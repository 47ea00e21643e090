import { beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/plan/types.js';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { diffJson, lanmcp, writeLabInventory } from './provision-helpers.js';

const DEVICES = ['lab1', 'lab2'];
const since = async (device: string) => (await deviceExec(device, 'systemctl show -p ActiveEnterTimestampMonotonic --value lanmcp-edge')).stdout.trim();
const pending = (changes: Change[]) => changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${Object.values(c.resource).slice(1).join(' ')}`);

describe('apply on real devices', () => {
  let inventory: string;

  beforeAll(async () => {
    await Promise.all(DEVICES.map(freshDevice));
    inventory = writeLabInventory(DEVICES.map((name) => ({ name })));
  });

  it('diff on fresh devices exits 2 and lists every resource', async () => {
    const { code, plan, stderr } = await diffJson(inventory);
    expect(code).toBe(2);
    expect(plan.summary).toMatchObject({ provision: 2, update: 0, unchanged: 0, unreachable: 0 });
    expect(pending(plan.devices[0]!.changes)).toEqual([
      'create lab1', // the token
      'create lab1', // the TLS key, generated on the device
      'create /opt/lanmcp-edge/edge.mjs',
      'create /etc/lanmcp-edge/config.json',
      'create /etc/systemd/system/lanmcp-edge.service',
      'enable lanmcp-edge.service',
      'start lanmcp-edge.service',
      'create /var/lib/lanmcp-edge/receipt.json',
    ]);
    expect(stderr).toContain('Plan: 2 to provision, 0 to update, 0 to remove, 0 unchanged, 0 unreachable.');
  });

  it('apply --yes provisions both, verified over MCP, and the edge runs under systemd', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/lab1 : ok=8 changed=8 unreachable=0 failed=0/);
    for (const device of DEVICES) {
      expect((await deviceExec(device, 'systemctl is-active lanmcp-edge; systemctl is-enabled lanmcp-edge')).stdout).toBe('active\nenabled\n');
      expect((await deviceExec(device, 'stat -c %a /etc/lanmcp-edge/config.json')).stdout.trim()).toBe('600');
      expect((await deviceExec(device, 'stat -c "%a %U %G" /etc/lanmcp-edge/tls /etc/lanmcp-edge/tls/key.pem')).stdout).toBe('700 root root\n600 root root\n');
      const receipt = JSON.parse((await deviceExec(device, 'cat /var/lib/lanmcp-edge/receipt.json')).stdout) as { files: Record<string, string> };
      expect(Object.keys(receipt.files)).toHaveLength(3);
    }
  });

  it('a second diff exits 0 and a second apply changes nothing and does not restart the edge', async () => {
    const before = await Promise.all(DEVICES.map(since));
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toContain('No changes. Your devices match the inventory.');
    const apply = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/lab1 : ok=\d+ changed=0 unreachable=0 failed=0/);
    expect(await Promise.all(DEVICES.map(since))).toEqual(before);
  });

  const drifts: [string, string, string[]][] = [
    ['edited config', `sed -i 's/"timeout_s": 60/"timeout_s": 5/' /etc/lanmcp-edge/config.json`, ['update /etc/lanmcp-edge/config.json', 'restart lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
    ['deleted unit', 'rm /etc/systemd/system/lanmcp-edge.service && systemctl daemon-reload', ['create /etc/systemd/system/lanmcp-edge.service', 'enable lanmcp-edge.service', 'restart lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
    ['stopped service', 'systemctl stop lanmcp-edge', ['start lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
    ['disabled service', 'systemctl disable --quiet lanmcp-edge', ['enable lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
    ['replaced bundle', 'echo "console.log(1)" > /opt/lanmcp-edge/edge.mjs', ['update /opt/lanmcp-edge/edge.mjs', 'restart lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
    ['wrong file mode', 'chmod 644 /etc/lanmcp-edge/config.json', ['update /etc/lanmcp-edge/config.json', 'restart lanmcp-edge.service', 'update /var/lib/lanmcp-edge/receipt.json']],
  ];

  it.each(drifts)('drift "%s" is detected exactly by diff and repaired by apply', async (_name, command, expected) => {
    expect((await deviceExec('lab2', command)).code).toBe(0);
    const { code, plan } = await diffJson(inventory, '--limit', 'lab2');
    expect(code).toBe(2);
    expect(pending(plan.devices[0]!.changes)).toEqual(expected);
    const apply = await lanmcp('apply', '-i', inventory, '--limit', 'lab2', '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    const after = await lanmcp('diff', '-i', inventory, '--limit', 'lab2');
    expect(after.code, after.stderr).toBe(0);
    expect((await deviceExec('lab2', 'systemctl is-active lanmcp-edge')).stdout.trim()).toBe('active');
  });

  it('an inventory change (policy and port) is planned with a config diff and applied', async () => {
    const changed = writeLabInventory([{ name: 'lab1', extra: 'edge: { port: 8799, policy: { read_only: true } }' }]);
    // The new inventory lives in a new folder: give it lab1's token so only the config changes.
    await deviceExec('lab1', 'true');
    const { copyFile, mkdir } = await import('node:fs/promises');
    const { dirname, join } = await import('node:path');
    await mkdir(join(dirname(changed), '.lanmcp', 'tokens'), { recursive: true });
    await copyFile(join(dirname(inventory), '.lanmcp', 'tokens', 'lab1.token'), join(dirname(changed), '.lanmcp', 'tokens', 'lab1.token'));
    const diff = await lanmcp('diff', '-i', changed, '--diff');
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(/-\s+"port": 8766\n\s+\+\s+"port": 8799/);
    expect(diff.stderr).toMatch(/\+\s+"read_only": true/);
    expect(diff.stderr).not.toMatch(/[0-9a-f]{64}/);
    const apply = await lanmcp('apply', '-i', changed, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    expect((await deviceExec('lab1', 'ss -ltn')).stdout).toContain(':8799');
    expect((await lanmcp('diff', '-i', changed)).code).toBe(0);
  });
});
