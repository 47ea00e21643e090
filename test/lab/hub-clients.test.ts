// The hub end to end on real lab devices, with real third-party MCP clients (the MCP Inspector CLI and
// mcporter), plus `lanmcp status`, `lanmcp exec` and `lanmcp connect json` against the same devices.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/cli/views/exec-view.js';
import type { StatusRow } from '../../src/cli/views/status-view.js';
import { loadHubOptions, startHub, type RunningHub } from '../../src/hub/start.js';
import { freshDevice } from './lab-helpers.js';
import { writeLabInventory } from './provision-helpers.js';
import { runLanmcp } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');
const MCPORTER = join(ROOT, 'node_modules/.bin/mcporter');
const DEVICES = ['lab1', 'lab2', 'lab3'];

const lanmcp = (env: NodeJS.ProcessEnv, ...argv: string[]) => runLanmcp(argv, { env });

const lines = <T>(text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as T);

/** A real client as a child process, with an empty HOME and an empty working folder (no stray config). */
async function client(file: string, args: string[], cwd = mkdtempSync(join(tmpdir(), 'lanmcp-client-'))): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'lanmcp-home-'));
  const { stdout } = await promisify(execFile)(file, args, { cwd, env: { PATH: process.env.PATH, HOME: home }, timeout: 60_000, maxBuffer: 16 << 20 });
  return stdout;
}

// The Inspector CLI 1.0.3 checks for `../package.json` relative to its working folder but imports it relative
// to its own file: it runs only from a folder whose parent has a package.json (here test/, under the repo root).
const inspector = (url: string, token: string, ...args: string[]) =>
  client(process.execPath, [INSPECTOR, url, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, ...args], join(ROOT, 'test'));
const mcporter = (url: string, token: string, ...args: string[]) =>
  client(MCPORTER, [...args, '--http-url', url, '--allow-http', '--header', `Authorization=Bearer ${token}`, '--no-oauth']);

const textOf = (result: { content?: { type: string; text?: string }[] }) => (result.content ?? []).map((c) => c.text ?? '').join('\n');

describe('the hub with real MCP clients, on lab devices', () => {
  let inventory: string;
  let hub: RunningHub | undefined;
  let token: string;

  beforeAll(async () => {
    await Promise.all(DEVICES.map(freshDevice));
    inventory = writeLabInventory(DEVICES.map((name) => ({ name, ...(name === 'lab3' ? { extra: 'tags: [odd]' } : {}) })));
    appendFileSync(inventory, `hub: { listen: "127.0.0.1:${await freePort()}" }\n`);
    const apply = await lanmcp({}, 'apply', '-i', inventory, '--yes', '--no-hub');
    expect(apply.code, apply.stderr).toBe(0);
    const loaded = await loadHubOptions(inventory, {}, { cwd: dirname(inventory) });
    hub = await startHub(loaded.options);
    token = loaded.clientTokens.create('clients');
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('Inspector CLI: lists the tools and runs run_command on one device', async () => {
    const listed = JSON.parse(await inspector(hub!.url, token, '--method', 'tools/list')) as { tools: { name: string }[] };
    expect(listed.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['network_resources', 'run_command', 'run_on_many', 'system_info']));
    const called = JSON.parse(await inspector(hub!.url, token, '--method', 'tools/call', '--tool-name', 'run_command', '--tool-arg', 'host=lab2', '--tool-arg', 'command=cat /etc/hostname')) as {
      isError?: boolean; structuredContent: { exit_code: number; stdout: string };
    };
    expect(called.isError).not.toBe(true);
    expect(called.structuredContent).toMatchObject({ exit_code: 0, stdout: 'lab2\n' });
  });

  it('mcporter: lists the tools, runs run_command, run_on_many on all, and reads network_resources', async () => {
    const listed = JSON.parse(await mcporter(hub!.url, token, 'list', '--json')) as { tools?: { name: string }[] } & Record<string, unknown>;
    expect(JSON.stringify(listed)).toContain('run_on_many');
    const one = await mcporter(hub!.url, token, 'call', 'run_command', 'host=lab1', 'command=uname -n', '--output', 'json');
    expect(one).toMatch(/lab1/);
    expect(JSON.parse(one)).toMatchObject({ exit_code: 0, stdout: 'lab1\n' });
    const many = JSON.parse(await mcporter(hub!.url, token, 'call', 'run_on_many', 'target=all', 'command=uname -n', '--output', 'json')) as {
      results: { host: string; ok: boolean; stdout: string }[]; summary: { ok: number; failed: number };
    };
    expect(many.summary).toEqual({ ok: 3, failed: 0 });
    expect(many.results.map((r) => [r.host, r.stdout])).toEqual(DEVICES.map((d) => [d, `${d}\n`]));
    const resources = JSON.parse(await mcporter(hub!.url, token, 'call', 'network_resources', '--output', 'json')) as { devices: { name: string; status: string; version: string }[] };
    expect(resources.devices.map((d) => [d.name, d.status])).toEqual(DEVICES.map((d) => [d, 'up']));
  });

  it('lanmcp status: via the running hub with LANMCP_TOKEN, directly without it', async () => {
    const viaHub = await lanmcp({ LANMCP_TOKEN: token }, 'status', '-i', inventory, '--json');
    expect(viaHub.code, viaHub.stderr).toBe(0);
    expect(lines<StatusRow>(viaHub.stdout).map((r) => [r.name, r.status, r.via])).toEqual(DEVICES.map((d) => [d, 'up', 'hub']));
    expect(viaHub.stderr).toContain(`3/3 up · via the hub at ${hub!.url}`);
    const direct = await lanmcp({}, 'status', '-i', inventory, '--limit', 'odd');
    expect(direct.code).toBe(0);
    expect(direct.stderr).toMatch(/^lab3\s+edge\s+✓ up\s+\d+\.\d+\.\d+\s+\d+ ms\s+10\.\d+\.\d+\.\d+$/m);
    expect(direct.stderr).toContain('A hub runs at');
  });

  it('lanmcp exec: one device (argv and shell string) and all devices', async () => {
    const one = await lanmcp({}, 'exec', 'lab1', '-i', inventory, '--', 'cat', '/etc/hostname');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe('lab1 | lab1\n');
    const shell = await lanmcp({}, 'exec', 'lab2', '-i', inventory, '--', 'echo out; echo err >&2; exit 3');
    expect(shell.code).toBe(3);
    expect(shell.stdout).toBe('lab2 | out\n');
    expect(shell.stderr).toMatch(/^lab2 ! err$/m);
    expect(shell.stderr).toMatch(/^✗ lab2  exit 3 · \d+ ms$/m);
    const all = await lanmcp({}, 'exec', 'all', '-i', inventory, '--json', '--', 'uname', '-n');
    expect(all.code, all.stderr).toBe(0);
    const rows = lines<ExecResult>(all.stdout).sort((a, b) => a.host.localeCompare(b.host));
    expect(rows.map((r) => [r.host, r.ok, r.exit_code, r.stdout])).toEqual(DEVICES.map((d) => [d, true, 0, `${d}\n`]));
  });

  it('lanmcp connect json: an SDK client with exactly that URL and header reaches the devices', async () => {
    const connect = await lanmcp({}, 'connect', 'json', '-i', inventory, '--token-name', 'sdk');
    expect(connect.code, connect.stderr).toBe(0);
    const config = JSON.parse(connect.stdout) as { url: string; headers: Record<string, string> };
    expect(Object.keys(config)).toEqual(['url', 'headers']);
    expect(config.url).toBe(hub!.url);
    expect(connect.stderr).not.toContain(config.headers.Authorization!.replace('Bearer ', ''));
    const sdk = new Client({ name: 'connect-json', version: '1.0.0' });
    await sdk.connect(new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } }));
    try {
      const result = await sdk.callTool({ name: 'run_command', arguments: { host: 'lab3', argv: ['uname', '-n'] } }) as { content?: { type: string; text?: string }[]; structuredContent?: { stdout?: string } };
      expect(result.structuredContent?.stdout, textOf(result)).toBe('lab3\n');
    } finally {
      await sdk.close();
    }
  });

  it('lanmcp status without a hub checks the devices directly', async () => {
    await hub!.close();
    hub = undefined;
    const result = await lanmcp({ LANMCP_TOKEN: token }, 'status', '-i', inventory, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(lines<StatusRow>(result.stdout).map((r) => [r.name, r.status, r.via])).toEqual(DEVICES.map((d) => [d, 'up', 'direct']));
    expect(result.stderr).toMatch(/No hub answers at http:\/\/127\.0\.0\.1:\d+: checked the devices directly/);
  });
});
