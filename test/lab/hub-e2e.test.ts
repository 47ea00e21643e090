import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubOptions, startHub, type RunningHub } from '../../src/hub/start.js';
import { createClientTokenStore } from '../../src/secrets/client-tokens.js';
import { LANMCP_VERSION } from '../../src/shared/version.js';
import { connectClient, textOf } from '../integration/hub/hub-helpers.js';
import { deviceExec, freshDevice, rebootDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

// The hub end to end on real devices: provisioned by `lanmcp apply`, reached over HTTP with each edge's
// own token, used through the SDK client with a client token, surviving an edge crash and a reboot.
const DEVICES = ['lab1', 'lab2'];
let hub: RunningHub;
let client: Client;

type Row = { host: string; ok: boolean; stdout?: string; error?: string };
type Resource = { name: string; status: string; version?: string; last_seen?: string; address?: string };

const run = (host: string, command: string) => client.callTool({ name: 'run_command', arguments: { host, command } });
const resources = async () => ((await client.callTool({ name: 'network_resources', arguments: {} })).structuredContent as { devices: Resource[] }).devices;

beforeAll(async () => {
  for (const name of DEVICES) await freshDevice(name);
  const inventory = writeLabInventory(DEVICES.map((name) => ({ name })));
  const applied = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
  expect(applied.code, applied.stderr).toBe(0);
  const token = createClientTokenStore(join(dirname(inventory), '.lanmcp')).create('e2e');
  const loaded = await loadHubOptions(inventory, {}, { listen: { host: '127.0.0.1', port: 0 } });
  hub = await startHub({ ...loaded.options, timing: { healthIntervalMs: 2000 } });
  client = await connectClient(hub.url, token);
});

afterAll(async () => {
  await client?.close();
  await hub?.close();
});

describe('hub on real devices', () => {
  it('lists the stable tools with host = the device names, and both edges up with their version', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['network_resources', 'run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs', 'run_on_many']);
    expect(tools.find((t) => t.name === 'run_command')!.inputSchema.properties!.host).toMatchObject({ enum: DEVICES });
    const devices = await resources();
    expect(devices.map((d) => [d.name, d.status, d.version])).toEqual(DEVICES.map((name) => [name, 'up', LANMCP_VERSION]));
  });

  it('runs a command on one device and on all of them', async () => {
    const expected = (await deviceExec('lab1', 'cat /etc/hostname')).stdout.trim();
    const one = await run('lab1', 'cat /etc/hostname');
    expect(one.isError).toBeFalsy();
    expect((one.structuredContent as { stdout: string }).stdout.trim()).toBe(expected);
    const many = await client.callTool({ name: 'run_on_many', arguments: { target: 'all', argv: ['uname', '-s'] } });
    const rows = (many.structuredContent as { results: Row[] }).results;
    expect(rows.map((r) => [r.host, r.ok, r.stdout?.trim()])).toEqual(DEVICES.map((name) => [name, true, 'Linux']));
  });

  it("a client's cancel reaches the device through the hub: the command's whole process group is killed", async () => {
    const controller = new AbortController();
    // Two sleeps in the background of one shell: only a process-group kill ends both.
    const pending = client.callTool({ name: 'run_command', arguments: { host: 'lab2', command: 'sleep 3031 & sleep 3032 & wait' } }, undefined, { signal: controller.signal });
    const running = async () => (await deviceExec('lab2', 'pgrep -f "^sleep 303[12]$" | wc -l')).stdout.trim();
    await expect.poll(running, { timeout: 10_000, interval: 100 }).toBe('2');
    controller.abort('the user pressed stop');
    await expect(pending).rejects.toThrow();
    await expect.poll(running, { timeout: 10_000, interval: 100 }).toBe('0');
    const journal = (await deviceExec('lab2', 'journalctl -u lanmcp-edge -n 50 --no-pager -o cat')).stdout;
    expect(journal).toMatch(/cancelled.*process group killed/);
    expect((await run('lab2', 'echo still-serving')).isError).toBeFalsy();
  });

  it('an edge killed mid-call ends the call with a clear error within seconds; the hub stays up; systemd brings the edge back', async () => {
    const pending = run('lab1', 'sleep 5');
    await new Promise((r) => setTimeout(r, 700));
    const killedAt = Date.now();
    await deviceExec('lab1', 'systemctl kill -s SIGKILL lanmcp-edge');
    const result = await pending;
    const after = Date.now() - killedAt;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^device lab1 is down: /);
    expect(after).toBeLessThan(10_000);
    expect((await run('lab2', 'true')).isError).toBeFalsy();
    let back: Awaited<ReturnType<typeof run>> | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      back = await run('lab1', 'echo back');
      if (!back.isError) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(textOf(back)).toContain('back');
    console.log(`edge killed mid-call: call ended ${after} ms after the kill; edge answered again ${Date.now() - killedAt} ms after it`);
  });

  it('a rebooted device is back in network_resources as up without restarting the hub', async () => {
    const before = (await resources()).find((d) => d.name === 'lab2')!;
    const took = await rebootDevice('lab2');
    let lab2: Resource | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      lab2 = (await resources()).find((d) => d.name === 'lab2');
      if (lab2?.status === 'up' && lab2.last_seen && lab2.last_seen > before.last_seen!) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(lab2).toMatchObject({ status: 'up', version: LANMCP_VERSION });
    // Its old keep-alive connection was reset by the reboot; the hub retries on a new one (the request
    // never reached the device), so the first call after the reboot already works.
    const uptime = await run('lab2', 'cat /proc/uptime');
    expect(uptime.isError, textOf(uptime)).toBeFalsy();
    console.log(`lab2 rebooted in ${took} ms and is up again in network_resources`);
  });
});
