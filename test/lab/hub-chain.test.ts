// Proxy chaining on real lab devices: hub B serves lab1 and lab2; hub A knows hub B only as a `kind: mcp`
// host (B's URL, and a client token of B in an environment variable), and re-exposes B's tools as hubb_<tool>.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusRow } from '../../src/cli/views/status-view.js';
import { loadHubOptions, startHub, type RunningHub } from '../../src/hub/start.js';
import { freshDevice } from './lab-helpers.js';
import { writeLabInventory } from './provision-helpers.js';
import { runLanmcp } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const lanmcp = (env: NodeJS.ProcessEnv, ...argv: string[]) => runLanmcp(argv, { env });

type ToolResult = { isError?: boolean; content?: { type: string; text?: string }[]; structuredContent?: Record<string, unknown> };
const textOf = (r: ToolResult) => (r.content ?? []).map((c) => c.text ?? '').join('\n');

describe('proxy chaining: hub A → hub B → edges', () => {
  let hubB: RunningHub;
  let hubA: RunningHub;
  let inventoryB: string;
  let inventoryA: string;
  let tokenB: string;
  let client: Client;

  beforeAll(async () => {
    await Promise.all(['lab1', 'lab2'].map(freshDevice));
    inventoryB = writeLabInventory([{ name: 'lab1' }, { name: 'lab2' }]);
    const apply = await lanmcp({}, 'apply', '-i', inventoryB, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    const loadedB = await loadHubOptions(inventoryB, {}, { cwd: dirname(inventoryB), listen: { host: '127.0.0.1', port: 0 } });
    hubB = await startHub(loadedB.options);
    tokenB = loadedB.clientTokens.create('hub-a');

    inventoryA = join(mkdtempSync(join(tmpdir(), 'lanmcp-hub-a-')), 'inventory.yaml');
    writeFileSync(inventoryA, [
      'version: 1',
      `hub: { listen: "127.0.0.1:${await freePort()}" }`,
      'hosts:',
      `  hubb: { kind: mcp, url: "${hubB.url}", auth: { bearer_env: HUB_B_TOKEN }, description: "the lab's hub" }`,
      '',
    ].join('\n'));
    const loadedA = await loadHubOptions(inventoryA, { HUB_B_TOKEN: tokenB }, { cwd: dirname(inventoryA) });
    hubA = await startHub(loadedA.options);
    client = new Client({ name: 'chain-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(hubA.url), { requestInit: { headers: { authorization: `Bearer ${loadedA.clientTokens.create('agent')}` } } }));
  });
  afterAll(async () => {
    await client?.close();
    await hubA?.close();
    await hubB?.close();
  });

  it("hub A lists hub B's tools under hubb_ and reports hub B up", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['network_resources', 'hubb_network_resources', 'hubb_run_command', 'hubb_run_on_many', 'hubb_system_info']));
    expect(names).not.toContain('run_command');
    const resources = await client.callTool({ name: 'network_resources', arguments: {} }) as ToolResult;
    expect((resources.structuredContent as { devices: unknown[] }).devices).toEqual([
      expect.objectContaining({ name: 'hubb', kind: 'mcp', url: hubB.url, status: 'up', description: "the lab's hub" }),
    ]);
  });

  it('a command reaches a device behind hub B, one device and fanned out', async () => {
    const one = await client.callTool({ name: 'hubb_run_command', arguments: { host: 'lab2', command: 'cat /etc/hostname' } }) as ToolResult;
    expect(one.isError, textOf(one)).not.toBe(true);
    expect(one.structuredContent).toMatchObject({ exit_code: 0, stdout: 'lab2\n' });
    const many = await client.callTool({ name: 'hubb_run_on_many', arguments: { target: 'all', argv: ['uname', '-n'] } }) as ToolResult;
    expect((many.structuredContent as { results: { host: string; stdout: string }[] }).results.map((r) => [r.host, r.stdout])).toEqual([['lab1', 'lab1\n'], ['lab2', 'lab2\n']]);
  });

  it("hub B sees hub A's client token for B, never A's own client token", async () => {
    await client.callTool({ name: 'hubb_system_info', arguments: { host: 'lab1' } });
    const loadedB = await loadHubOptions(inventoryB, {}, { cwd: dirname(inventoryB) });
    const audit = readFileSync(loadedB.hub.audit_log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { token: string; tool: string; devices: string[] });
    expect(audit.filter((e) => e.tool === 'system_info')).toEqual([expect.objectContaining({ token: 'hub-a', devices: ['lab1'] })]);
    expect(new Set(audit.map((e) => e.token))).toEqual(new Set(['hub-a']));
  });

  it('lanmcp status on hub A checks hub B with the token from its environment variable', async () => {
    const up = await lanmcp({ HUB_B_TOKEN: tokenB }, 'status', '-i', inventoryA, '--json');
    expect(up.code, up.stderr).toBe(0);
    const [row] = up.stdout.trim().split('\n').map((l) => JSON.parse(l) as StatusRow);
    expect(row).toMatchObject({ name: 'hubb', kind: 'mcp', where: hubB.url, status: 'up', via: 'direct' });
    expect(row!.version).toMatch(/^\d+\.\d+\.\d+/);
    const missing = await lanmcp({}, 'status', '-i', inventoryA, '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ status: 'no-token', error: 'environment variable HUB_B_TOKEN is not set for hubb' });
    const refused = await lanmcp({ HUB_B_TOKEN: 'lmc_not-a-token-of-hub-b-000000000000' }, 'status', '-i', inventoryA, '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'auth-failed' });
  });
});
