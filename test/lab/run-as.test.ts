import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/plan/types.js';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { diffJson, lanmcp, pinnedEdge, writeLabInventory } from './provision-helpers.js';

// Least privilege on a real device: `run_as: lanmcp` with `policy.services: [lab-demo.service]`. What the
// edge may not do must be refused by the OS (polkit, file permissions), not by lanmcp's own policy.
const DEVICE = 'lab3';
const RULE = '/etc/polkit-1/rules.d/50-lanmcp-edge.rules';
const RUN_AS = 'edge: { run_as: lanmcp, policy: { services: [lab-demo.service] } }';
const DEMO_UNIT = [
  '[Unit]', 'Description=lanmcp run_as demo',
  '[Service]', "ExecStart=/bin/sh -c 'echo lab-demo says hello; exec sleep infinity'", '',
].join('\n');

const pending = (changes: Change[]) => changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${Object.values(c.resource).slice(1).join(' ')}`);
const sh = async (command: string) => (await deviceExec(DEVICE, command)).stdout.trim();

interface ToolResult {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}
const text = (result: ToolResult) => (result.content ?? []).map((c) => c.text ?? '').join('\n');

describe('run_as: an unprivileged edge on a real device', () => {
  let inventory: string;
  let client: Client;
  let edge: ReturnType<typeof pinnedEdge> | undefined;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolResult;

  beforeAll(async () => {
    await freshDevice(DEVICE);
    const placed = await deviceExec(DEVICE, `cat > /etc/systemd/system/lab-demo.service && systemctl daemon-reload && systemctl start lab-demo.service`, { input: DEMO_UNIT });
    expect(placed.code, placed.stderr).toBe(0);
    inventory = writeLabInventory([{ name: DEVICE, extra: RUN_AS }]);
  });

  afterAll(async () => {
    await client?.close();
    edge?.close();
  });

  it('diff plans the user, the config for its group, the polkit rule and the service', async () => {
    const { code, plan } = await diffJson(inventory);
    expect(code).toBe(2);
    const changes = plan.devices[0]!.changes;
    expect(pending(changes)).toEqual([
      `create ${DEVICE}`,
      `create ${DEVICE}`,
      'create lanmcp',
      'create /opt/lanmcp-edge/edge.mjs',
      'create /etc/lanmcp-edge/config.json',
      'create /etc/systemd/system/lanmcp-edge.service',
      `create ${RULE}`,
      'enable lanmcp-edge.service',
      'start lanmcp-edge.service',
      'create /var/lib/lanmcp-edge/receipt.json',
    ]);
    expect(changes.find((c) => c.resource.type === 'user')!.reason).toMatch(/system user is created .* in systemd-journal, adm/);
  });

  it('apply creates a system user and runs the edge as it, config readable by its group only', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(run.code, run.stderr).toBe(0);
    expect(await sh('getent passwd lanmcp | cut -d: -f6,7')).toBe('/nonexistent:/usr/sbin/nologin');
    expect((await sh('id -nG lanmcp')).split(' ').sort()).toEqual(['adm', 'lanmcp', 'systemd-journal']);
    expect(Number(await sh('id -u lanmcp'))).toBeLessThan(1000);
    expect(await sh('stat -c "%a %U %G" /etc/lanmcp-edge /etc/lanmcp-edge/config.json')).toBe('750 root lanmcp\n640 root lanmcp');
    expect(await sh(`stat -c "%a %U %G" ${RULE}`)).toBe('644 root root');
    expect(await sh('ps -o user= -p "$(systemctl show -p MainPID --value lanmcp-edge)"')).toBe('lanmcp');
    expect(await sh('systemctl show -p NoNewPrivileges --value lanmcp-edge')).toBe('yes');

    const token = readFileSync(join(dirname(inventory), '.lanmcp', 'tokens', `${DEVICE}.token`), 'utf8').trim();
    client = new Client({ name: 'run-as-test', version: '1.0.0' });
    expect(await sh('stat -c "%a %U %G" /etc/lanmcp-edge/tls /etc/lanmcp-edge/tls/key.pem')).toBe('750 root lanmcp\n640 root lanmcp');
    edge = pinnedEdge(inventory, DEVICE);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${edge.base}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: edge.fetch }));
  });

  it('commands run as the unprivileged user; read-only tools work', async () => {
    const id = await call('run_command', { argv: ['id', '-u'] });
    expect(id.isError, text(id)).toBeFalsy();
    expect(String(id.structuredContent?.stdout).trim()).not.toBe('0');
    expect(String(id.structuredContent?.stdout).trim()).toBe(await sh('id -u lanmcp'));
    const info = await call('system_info', {});
    expect(info.isError, text(info)).toBeFalsy();
    const hostname = await call('read_file', { path: '/etc/hostname' });
    expect(hostname.isError, text(hostname)).toBeFalsy();
    expect(text(hostname)).toContain(DEVICE);
    const etc = await call('list_dir', { path: '/etc' });
    expect(etc.isError, text(etc)).toBeFalsy();
    expect(JSON.stringify(etc.structuredContent)).toContain('"hostname"');
  });

  it('logs reads the journal through the systemd-journal group', async () => {
    const logs = await call('logs', { unit: 'lab-demo.service', lines: 20 });
    expect(logs.isError, text(logs)).toBeFalsy();
    expect(text(logs)).toContain('lab-demo says hello');
  });

  it('service restart of a unit in policy.services works through polkit', async () => {
    const before = await sh('systemctl show -p MainPID --value lab-demo.service');
    const restart = await call('service', { unit: 'lab-demo.service', action: 'restart' });
    expect(restart.isError, text(restart)).toBeFalsy();
    const after = await sh('systemctl show -p MainPID --value lab-demo.service');
    expect(after).not.toBe(before);
    expect(await sh('systemctl is-active lab-demo.service')).toBe('active');
  });

  it('the OS refuses everything else: another unit, enable, writing /etc', async () => {
    const ssh = await call('service', { unit: 'ssh.service', action: 'restart' });
    expect(ssh.isError).toBe(true);
    expect(text(ssh)).toMatch(/Access denied|Interactive authentication required/);
    expect(text(ssh)).not.toMatch(/^refused by /);
    const enable = await call('service', { unit: 'lab-demo.service', action: 'enable' });
    expect(enable.isError).toBe(true);
    expect(text(enable)).toMatch(/Access denied|Interactive authentication required/);
    const write = await call('write_file', { path: '/etc/lanmcp-test', content: 'x' });
    expect(write.isError).toBe(true);
    expect(text(write)).toMatch(/EACCES/);
    expect(text(write)).not.toMatch(/^refused by /);
    expect((await deviceExec(DEVICE, 'test -e /etc/lanmcp-test')).code).not.toBe(0);
    const shadow = await call('run_command', { argv: ['sh', '-c', 'echo x >> /etc/hosts; cat /etc/shadow'] });
    expect(shadow.structuredContent?.exit_code, text(shadow)).not.toBe(0);
    expect(String(shadow.structuredContent?.stderr)).toMatch(/\/etc\/hosts: Permission denied[\s\S]*\/etc\/shadow: Permission denied/);
    // The edge cannot rewrite its own policy even where lanmcp's own protection is not asked: root owns the config.
    expect(await sh('su -s /bin/sh lanmcp -c "echo x >> /etc/lanmcp-edge/config.json" 2>&1; true')).toMatch(/Permission denied/);
  });

  it('a second apply changes nothing and does not restart the edge', async () => {
    const since = await sh('systemctl show -p ActiveEnterTimestampMonotonic --value lanmcp-edge');
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code, diff.stderr).toBe(0);
    const apply = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(new RegExp(`${DEVICE} : ok=\\d+ changed=0 unreachable=0 failed=0`));
    expect(await sh('systemctl show -p ActiveEnterTimestampMonotonic --value lanmcp-edge')).toBe(since);
  });

  it('drift in the config group, the user groups and the rule is found by diff and repaired by apply', async () => {
    await sh(`chgrp root /etc/lanmcp-edge/config.json /etc/lanmcp-edge/tls/key.pem && gpasswd -d lanmcp systemd-journal && echo '// edited' >> ${RULE}`);
    const { code, plan } = await diffJson(inventory);
    expect(code).toBe(2);
    expect(pending(plan.devices[0]!.changes)).toEqual([
      `update ${DEVICE}`,
      'update lanmcp',
      'update /etc/lanmcp-edge/config.json',
      `update ${RULE}`,
      'restart lanmcp-edge.service',
      'update /var/lib/lanmcp-edge/receipt.json',
    ]);
    const apply = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
    expect(await sh('stat -c "%G" /etc/lanmcp-edge/config.json /etc/lanmcp-edge/tls/key.pem')).toBe('lanmcp\nlanmcp');
  });

  it('switching back to root removes the polkit rule; the user stays, and the plan says so', async () => {
    await client.close();
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(`, ${RUN_AS}`, ''));
    const { code, plan } = await diffJson(inventory);
    expect(code).toBe(2);
    const changes = plan.devices[0]!.changes;
    expect(pending(changes)).toEqual([
      `update ${DEVICE}`,
      'update /etc/lanmcp-edge/config.json',
      'update /etc/systemd/system/lanmcp-edge.service',
      `delete ${RULE}`,
      'restart lanmcp-edge.service',
      'update /var/lib/lanmcp-edge/receipt.json',
    ]);
    expect(changes.find((c) => c.resource.type === 'user')!.reason).toMatch(/user lanmcp stays on the device/);
    const apply = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    expect((await deviceExec(DEVICE, `test -e ${RULE}`)).code).not.toBe(0);
    expect(await sh('ps -o user= -p "$(systemctl show -p MainPID --value lanmcp-edge)"')).toBe('root');
    expect(await sh('stat -c "%a %U %G" /etc/lanmcp-edge /etc/lanmcp-edge/config.json')).toBe('700 root root\n600 root root');
    expect((await deviceExec(DEVICE, 'id -u lanmcp')).code).toBe(0);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });
});
