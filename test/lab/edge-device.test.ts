import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdgeBundle } from '../integration/edge/bundle-helpers.js';
import { edgeMemory, installEdge, type DeviceAccess, type InstalledEdge } from '../integration/edge/device-install.js';
import { rawRequest, rpc } from '../integration/edge/http-helpers.js';
import { copyToDevice, deviceExec, freshDevice, labDevice } from './lab-helpers.js';

// The edge bundle installed by hand under systemd on real lab devices (Debian bookworm, Node 18), driven
// from this machine by a real SDK Client over the lab bridge.
const access = (name: string): DeviceAccess => ({ exec: (command) => deviceExec(name, command), copy: (local, remote) => copyToDevice(name, local, remote) });
const lab1 = access('lab1');

let work: string;
let bundleDir: string;
let edge: InstalledEdge;
let other: InstalledEdge;
let client: Client;

function connect(target: InstalledEdge, token = target.token): Promise<Client> {
  const c = new Client({ name: 'edge-lab-test', version: '1' });
  return c.connect(new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } })).then(() => c);
}

const headers = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' });
const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });

/** Live processes on the device whose command line starts with `prefix` (zombies awaiting a slow reaper excluded). */
async function processesMatching(prefix: string): Promise<string[]> {
  const ps = await lab1.exec('ps -eo stat=,args=');
  return ps.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter(([stat, ...args]) => !stat!.startsWith('Z') && args.join(' ').startsWith(prefix)).map((w) => w.slice(1).join(' '));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'edge-lab-'));
  await Promise.all([freshDevice('lab1'), freshDevice('lab2')]);
  const { bundle, dir } = await buildEdgeBundle();
  bundleDir = dir;
  const policy = { timeout_s: 30, max_output_bytes: 262_144, max_concurrent: 256 };
  [edge, other] = await Promise.all([
    installEdge(lab1, { device: 'lab1', address: labDevice('lab1').address, bundle, workDir: work, policy }),
    installEdge(access('lab2'), { device: 'lab2', address: labDevice('lab2').address, bundle, workDir: work }),
  ]);
  client = await connect(edge);
});

afterAll(async () => {
  await client?.close();
  for (const dir of [work, bundleDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('edge on a lab device under systemd', () => {
  it('runs on the device\'s Node 18 and lists its seven tools to an SDK Client', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs']);
    const info = await client.callTool({ name: 'system_info', arguments: {} });
    expect(info.structuredContent).toMatchObject({ hostname: 'lab1', os: { id: 'debian', version_id: '12' }, node_version: expect.stringMatching(/^v18\./) });
  });

  it('runs every tool against the real device', async () => {
    const run = await client.callTool({ name: 'run_command', arguments: { command: 'id -un; echo "$X"', env: { X: 'from-env' } } });
    expect(run.structuredContent).toMatchObject({ exit_code: 0, stdout: 'root\nfrom-env\n' });
    const argv = await client.callTool({ name: 'run_command', arguments: { argv: ['cat'], stdin: 'через stdin' } });
    expect(argv.structuredContent).toMatchObject({ stdout: 'через stdin' });
    const wrote = await client.callTool({ name: 'write_file', arguments: { path: '/srv/app/motd', content: 'hello lab\n', mode: '0640', create_dirs: true } });
    expect(wrote.isError).toBeFalsy();
    expect((await lab1.exec('stat -c %a /srv/app/motd; cat /srv/app/motd')).stdout).toBe('640\nhello lab\n');
    expect((await client.callTool({ name: 'read_file', arguments: { path: '/srv/app/motd' } })).structuredContent).toMatchObject({ content: 'hello lab\n', encoding: 'utf8' });
    await lab1.exec("printf '\\377\\000\\376' > /srv/app/blob");
    expect((await client.callTool({ name: 'read_file', arguments: { path: '/srv/app/blob' } })).structuredContent).toMatchObject({ encoding: 'base64', content: '/wD+' });
    const dir = await client.callTool({ name: 'list_dir', arguments: { path: '/srv/app' } });
    expect(dir.structuredContent).toMatchObject({ entries: [{ name: 'blob', type: 'file', size: 3 }, { name: 'motd', type: 'file', size: 10, mode: '0640' }] });
    const restart = await client.callTool({ name: 'service', arguments: { unit: 'ssh', action: 'restart' } });
    expect(restart.structuredContent).toMatchObject({ unit: 'ssh', action: 'restart', exit_code: 0, active_state: 'active', load_state: 'loaded' });
    const status = await client.callTool({ name: 'service', arguments: { unit: 'lanmcp-edge', action: 'status' } });
    expect(status.structuredContent).toMatchObject({ active_state: 'active', unit_file_state: 'enabled' });
    expect((await client.callTool({ name: 'service', arguments: { unit: 'lanmcp-edge', action: 'stop' } })).isError).toBe(true);
    const logs = await client.callTool({ name: 'logs', arguments: { unit: 'ssh', lines: 20 } });
    expect((logs.structuredContent as { text: string }).text).toMatch(/sshd?\[\d+\]/);
  });

  it('writes one audit line per call to the journal, with secrets redacted', async () => {
    await client.callTool({ name: 'run_command', arguments: { argv: ['true'], env: { API_KEY: 'sekrit-value' } } });
    const calls = async () => (await lab1.exec('journalctl -u lanmcp-edge -o cat --no-pager')).stdout.split('\n').filter((l) => l.startsWith('{"edge":"call"'));
    // journald files stream lines asynchronously: wait until the last call has landed.
    await expect.poll(async () => (await calls()).some((l) => l.includes('API_KEY')), { timeout: 5000 }).toBe(true);
    const lines = await calls();
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.join('\n')).not.toContain('sekrit-value');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ tool: 'run_command', arguments: { argv: ['true'], env: { API_KEY: '[redacted]' } }, decision: 'allowed', exit_code: 0 });
  });

  it('refuses a wrong, missing or other device\'s token with 401, a foreign Origin with 403, 10 MB with 413', async () => {
    const port = edge.port;
    const address = edge.address;
    expect((await rawRequest(port, { address, headers: headers('wrong'), body: initialize })).status).toBe(401);
    const { authorization: _, ...noAuth } = headers('x');
    const missing = await rawRequest(port, { address, headers: noAuth, body: initialize });
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, expect.stringMatching(/^Bearer error="invalid_token"/)]);
    expect((await rawRequest(port, { address, headers: headers(other.token), body: initialize })).status).toBe(401);
    expect((await rawRequest(other.port, { address: other.address, headers: headers(other.token), body: initialize })).status).toBe(200);
    await expect(connect(edge, other.token)).rejects.toThrow();
    expect((await rawRequest(port, { address, headers: { ...headers(edge.token), origin: 'http://evil.example.com' }, body: initialize })).status).toBe(403);
    expect((await rawRequest(port, { address, headers: { ...headers(edge.token), host: 'evil.example.com' }, body: initialize })).status).toBe(403);
    const huge = rpc(2, 'tools/call', { name: 'write_file', arguments: { path: '/tmp/huge', content: 'x'.repeat(10 * 1_048_576) } });
    expect((await rawRequest(port, { address, headers: headers(edge.token), body: huge })).status).toBe(413);
    expect((await lab1.exec('test -e /tmp/huge; echo $?')).stdout.trim()).toBe('1');
  });

  it('caps `yes` running for 5 s to max_output_bytes, keeps draining it, and the edge\'s memory stays bounded', async () => {
    const before = await edgeMemory(lab1);
    const yes = () => client.callTool({ name: 'run_command', arguments: { argv: ['yes'], timeout_s: 5 } });
    const result = await yes();
    const first = await edgeMemory(lab1);
    expect(result.structuredContent).toMatchObject({ timed_out: true, stdout_truncated: true });
    const { stdout, stdout_bytes: bytes } = result.structuredContent as { stdout: string; stdout_bytes: number };
    expect(stdout.length).toBe(262_144);
    expect(bytes).toBeGreaterThan(50 * 1_048_576);
    // Discarded chunks are garbage V8 collects by its external-memory heuristic (~64 MB): bounded, not growing per run.
    await yes();
    const second = await edgeMemory(lab1);
    expect([first.pid, second.pid]).toEqual([before.pid, before.pid]);
    expect(first.anonKb).toBeLessThan(before.anonKb + 80 * 1024);
    expect(second.anonKb).toBeLessThan(first.anonKb + 24 * 1024);
    expect(second.rssKb).toBeLessThan(160 * 1024);
    expect(await processesMatching('yes')).toEqual([]);
  }, 30_000);

  it('a command past its timeout leaves no process behind, background jobs included', async () => {
    const result = await client.callTool({ name: 'run_command', arguments: { command: 'sleep 301 & sleep 302; echo never', timeout_s: 1 } });
    expect(result).toMatchObject({ isError: true, structuredContent: { timed_out: true, exit_code: null } });
    await expect.poll(() => processesMatching('sleep 30'), { timeout: 5000 }).toEqual([]);
  });

  it('cancellation from the client kills the process group on the device', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'run_command', arguments: { command: 'sleep 303 & sleep 304' } }, undefined, { signal: controller.signal });
    await expect.poll(() => processesMatching('sleep 30'), { timeout: 5000 }).toHaveLength(2);
    controller.abort('stop');
    await expect(call).rejects.toThrow();
    await expect.poll(() => processesMatching('sleep 30'), { timeout: 5000 }).toEqual([]);
    const journal = await lab1.exec('journalctl -u lanmcp-edge -o cat --no-pager | grep sleep | tail -1');
    expect(JSON.parse(journal.stdout)).toMatchObject({ tool: 'run_command', arguments: { command: 'sleep 303 & sleep 304' }, exit_code: null });
  });

  it('survives 200 concurrent calls', async () => {
    const calls = Array.from({ length: 200 }, (_, i) => client.callTool({ name: 'run_command', arguments: { argv: ['echo', String(i)] } }));
    const results = await Promise.all(calls);
    expect(results.map((r) => (r.structuredContent as { stdout: string }).stdout)).toEqual(Array.from({ length: 200 }, (_, i) => `${i}\n`));
    const memory = await edgeMemory(lab1);
    expect(memory.rssKb).toBeLessThan(160 * 1024);
    expect((await fetch(`http://${edge.address}:${edge.port}/healthz`)).ok).toBe(true);
    expect((await lab1.exec('systemctl show -p NRestarts --value lanmcp-edge')).stdout.trim()).toBe('0');
  }, 60_000);

  it('systemctl stop kills running commands and exits cleanly; a bad config fails with one journal line', async () => {
    const call = client.callTool({ name: 'run_command', arguments: { command: 'sleep 305' } }).catch((e: Error) => e);
    await expect.poll(() => processesMatching('sleep 305'), { timeout: 5000 }).toHaveLength(1);
    const started = Date.now();
    const stop = await lab1.exec('systemctl stop lanmcp-edge; systemctl show -p ExecMainStatus,ActiveState --value lanmcp-edge');
    expect(Date.now() - started).toBeLessThan(9000); // TimeoutStopSec=10s: a stop that had to wait for SIGKILL would take longer
    expect(stop.stdout).toBe('0\ninactive\n');
    await call;
    expect(await processesMatching('sleep 305')).toEqual([]);
    await lab1.exec('cp /etc/lanmcp-edge/config.json /root/good.json && echo "{}" > /etc/lanmcp-edge/config.json && systemctl start lanmcp-edge');
    const configError = async () => (await lab1.exec('journalctl -u lanmcp-edge -o cat --no-pager | grep E_EDGE_CONFIG | tail -1')).stdout.trim();
    await expect.poll(configError, { timeout: 10_000 }).toMatch(/^lanmcp-edge: error E_EDGE_CONFIG: \/etc\/lanmcp-edge\/config\.json: invalid edge config: name: is required; listen: is required/);
    await lab1.exec('cp /root/good.json /etc/lanmcp-edge/config.json && systemctl reset-failed lanmcp-edge; systemctl restart lanmcp-edge');
    await expect.poll(() => fetch(`http://${edge.address}:${edge.port}/healthz`).then((r) => r.ok, () => false), { timeout: 10_000 }).toBe(true);
  }, 60_000);
});
