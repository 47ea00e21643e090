import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubOptions, startHub, type RunningHub } from '../../src/hub/start.js';
import { createClientTokenStore } from '../../src/secrets/client-tokens.js';
import { connectClient, textOf } from '../integration/hub/hub-helpers.js';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

// edge.policy.confirm on real devices: lab1 says `confirm: destructive`, lab2 says nothing (never).
// Whether a command ran is judged on the device itself: the marker file it would create.
let hub: RunningHub;
let inventory: string;
let token: string;
const clients: Client[] = [];
const questions: string[] = [];
let answer: ElicitResult = { action: 'decline' };

// The question travels on the call's SSE answer, which the SDK client gets by asking for progress
// (until mcp-route's wantsStream streams such calls by itself; test/integration/hub/confirm.test.ts pins it).
const call = (client: Client, name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }, undefined, { onprogress: () => {} });
const exists = async (device: string, path: string) => (await deviceExec(device, `test -e ${path}`)).code === 0;

async function elicitingClient(): Promise<Client> {
  const client = await connectClient(hub.url, token, { elicitation: {} });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    questions.push(request.params.message);
    return answer;
  });
  clients.push(client);
  return client;
}

/** `lanmcp exec` from the built CLI on a real pseudo-terminal (util-linux `script`), typing `typed`. */
function execOnTerminal(args: string[], typed: string): Promise<{ code: number | null; output: string }> {
  const cli = resolve('dist/cli.mjs');
  const line = [process.execPath, cli, 'exec', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((done, fail) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // Answer once the question is on the screen, as a person would.
      if (/\[y\/N\]/.test(output) && !child.stdin.writableEnded) child.stdin.end(typed);
    });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`lanmcp exec on a terminal hung:\n${output}`)); }, 60_000);
    child.on('error', fail);
    child.on('close', (code) => { clearTimeout(timer); done({ code, output }); });
  });
}

beforeAll(async () => {
  for (const name of ['lab1', 'lab2']) await freshDevice(name);
  inventory = writeLabInventory([{ name: 'lab1', extra: 'edge: { policy: { confirm: destructive } }' }, { name: 'lab2' }]);
  const applied = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
  expect(applied.code, applied.stderr).toBe(0);
  token = createClientTokenStore(join(dirname(inventory), '.lanmcp')).create('confirm');
  hub = await startHub((await loadHubOptions(inventory, {}, { cwd: dirname(inventory), listen: { host: '127.0.0.1', port: 0 } })).options);
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await hub?.close();
});

describe('human confirmation on real devices', () => {
  it('declined: the command never runs on the device; approved: it does', async () => {
    const client = await elicitingClient();
    answer = { action: 'decline' };
    const declined = await call(client, 'run_command', { host: 'lab1', command: 'touch /root/confirm-declined' });
    expect(declined.isError).toBe(true);
    expect(textOf(declined)).toMatch(/^declined by the human on hub-test: nothing was run/);
    expect(questions.at(-1)).toContain('Run on lab1 as root: touch /root/confirm-declined');
    expect(await exists('lab1', '/root/confirm-declined')).toBe(false);
    answer = { action: 'accept', content: { approve: true } };
    const approved = await call(client, 'run_command', { host: 'lab1', command: 'touch /root/confirm-approved' });
    expect(approved.isError, textOf(approved)).toBeFalsy();
    expect(await exists('lab1', '/root/confirm-approved')).toBe(true);
  });

  it('a client that cannot elicit is refused on lab1; reads on lab1 and anything on lab2 still work for it', async () => {
    const plain = await connectClient(hub.url, token);
    clients.push(plain);
    const refused = await call(plain, 'run_command', { host: 'lab1', command: 'touch /root/confirm-refused' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/did not declare the elicitation capability/);
    expect(await exists('lab1', '/root/confirm-refused')).toBe(false);
    const read = await call(plain, 'read_file', { host: 'lab1', path: '/etc/hostname' });
    expect(read.isError, textOf(read)).toBeFalsy();
    const other = await call(plain, 'run_command', { host: 'lab2', command: 'touch /root/confirm-unguarded' });
    expect(other.isError, textOf(other)).toBeFalsy();
    expect(await exists('lab2', '/root/confirm-unguarded')).toBe(true);
  });

  it('run_on_many asks once about lab1 only; declined, it runs on neither device', async () => {
    const client = await elicitingClient();
    answer = { action: 'decline' };
    const before = questions.length;
    const result = await call(client, 'run_on_many', { target: ['lab1', 'lab2'], command: 'touch /root/confirm-many' });
    expect(result.isError).toBe(true);
    expect(questions.length - before).toBe(1);
    expect(questions.at(-1)).toContain('Run on lab1 as root: touch /root/confirm-many');
    expect(questions.at(-1)).not.toContain('lab2');
    for (const device of ['lab1', 'lab2']) expect(await exists(device, '/root/confirm-many')).toBe(false);
  });

  it('lanmcp exec on a terminal asks y/N: n runs nothing, y runs it', async () => {
    const no = await execOnTerminal(['lab1', '-i', inventory, '--', 'touch /root/confirm-exec-no'], 'n\n');
    expect(no.output).toContain('Run on lab1 as root: touch /root/confirm-exec-no');
    expect(no.output).toMatch(/Declined: nothing was run/);
    expect(no.code).toBe(1);
    expect(await exists('lab1', '/root/confirm-exec-no')).toBe(false);
    const yes = await execOnTerminal(['lab1', '-i', inventory, '--', 'touch /root/confirm-exec-yes'], 'y\n');
    expect(yes.code, yes.output).toBe(0);
    expect(await exists('lab1', '/root/confirm-exec-yes')).toBe(true);
  });
});
