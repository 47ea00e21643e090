import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { connectClient, edgeDevice, edgeSpec, EDGE_TOKEN, startTestHub, textOf, type TestHub } from './hub-helpers.js';

// The hub against in-process fake edges on loopback: routing, fan-out, failures, reconnects, timeouts,
// progress and cancellation, and the client's token never leaving the hub.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function fleet(names: string[], options: Parameters<typeof startTestHub>[0] extends infer O ? Partial<O> : never = {}) {
  const edges: FakeEdge[] = [];
  for (const name of names) {
    const edge = await startFakeEdge(name, EDGE_TOKEN);
    edges.push(edge);
    cleanups.push(() => edge.stop());
  }
  const hub = await startTestHub({
    specs: edges.map((e) => edgeSpec(e, { tags: e.name === 'alpha' ? ['audio'] : [], groups: e.name === 'alpha' ? [] : ['rack'] })),
    devices: edges.map((e) => edgeDevice(e.name, e.name === 'alpha' ? ['audio'] : [], e.name === 'alpha' ? [] : ['rack'])),
    groups: { rack: names.filter((n) => n !== 'alpha') },
    ...options,
  });
  cleanups.push(() => hub.close());
  const client = await connectClient(hub.url, hub.token);
  cleanups.push(() => client.close());
  return { edges, hub, client };
}

const call = (client: Client, name: string, args: Record<string, unknown>, options = {}) => client.callTool({ name, arguments: args }, undefined, options);

describe('hub → edges', () => {
  it('routes by host: only the named device runs the command, with its own token', async () => {
    const { edges: [alpha, beta], client } = await fleet(['alpha', 'beta']);
    const result = await call(client, 'run_command', { host: 'beta', command: 'uptime' });
    expect(textOf(result)).toContain('beta: uptime');
    expect(result.structuredContent).toMatchObject({ exit_code: 0 });
    expect(beta!.calls.map((c) => c.args)).toEqual([{ command: 'uptime' }]);
    expect(alpha!.calls).toEqual([]);
    const unknown = await call(client, 'run_command', { host: 'gamma', command: 'x' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/unknown host "gamma"; known devices: alpha, beta/);
  });

  it('per_device_tools adds <device>_admin tools that run an edge tool on their device', async () => {
    const { edges: [, beta], client } = await fleet(['alpha', 'beta'], { perDeviceTools: true });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['alpha_admin', 'beta_admin']));
    const result = await call(client, 'beta_admin', { tool: 'run_command', arguments: { command: 'id' } });
    expect(textOf(result)).toContain('beta: id');
    expect(beta!.calls).toHaveLength(1);
  });

  it('opens an MCP session to every edge at start, before any call, so the first call or fan-out does not pay for it', async () => {
    const { edges } = await fleet(['alpha', 'beta']);
    for (const edge of edges) {
      expect(edge.calls).toEqual([]);
      const mcpPosts = edge.headers.filter((h) => String(h.accept).includes('text/event-stream'));
      expect(mcpPosts.length, edge.name).toBeGreaterThan(0);
    }
  });

  it("an edge's policy refusal comes back as its isError result, prefixed with the device", async () => {
    const { client } = await fleet(['alpha']);
    const result = await call(client, 'run_command', { host: 'alpha', command: 'refuse' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^alpha: refused by commands\.deny/);
  });

  it('run_on_many: one row per device; a dead device is a failed row, fast, and the call succeeds', async () => {
    const { edges, client } = await fleet(['alpha', 'beta', 'gamma']);
    await edges[1]!.stop();
    const started = performance.now();
    const result = await call(client, 'run_on_many', { target: 'all', command: 'hostname' });
    const elapsed = performance.now() - started;
    expect(result.isError).toBeFalsy();
    const rows = (result.structuredContent as { results: { host: string; ok: boolean; error?: string }[] }).results;
    expect(rows.map((r) => [r.host, r.ok])).toEqual([['alpha', true], ['beta', false], ['gamma', true]]);
    // The hub opened a session to beta at start: the call meets that session's dead connection.
    expect(rows[1]!.error).toMatch(/^device beta is down: .*(ECONNREFUSED|connection lost)/);
    expect(elapsed).toBeLessThan(8000);
    expect(result.structuredContent).toMatchObject({ summary: { ok: 2, failed: 1 } });
  });

  it('run_on_many targets a tag, a group or a list; a target matching nothing is an error naming it', async () => {
    const { client } = await fleet(['alpha', 'beta', 'gamma']);
    const hosts = async (target: unknown) => ((await call(client, 'run_on_many', { target, command: 'x' })).structuredContent as { results: { host: string }[] }).results.map((r) => r.host);
    expect(await hosts('audio')).toEqual(['alpha']);
    expect(await hosts('rack')).toEqual(['beta', 'gamma']);
    expect(await hosts(['gamma', 'alpha'])).toEqual(['alpha', 'gamma']);
    const none = await call(client, 'run_on_many', { target: 'kitchen', command: 'x' });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toMatch(/kitchen/);
  });

  it('a busy device queues only its own calls: the others answer at once', async () => {
    const edges = [await startFakeEdge('alpha', EDGE_TOKEN), await startFakeEdge('beta', EDGE_TOKEN)];
    for (const e of edges) cleanups.push(() => e.stop());
    const hub = await startTestHub({ specs: edges.map((e) => edgeSpec(e, { maxConcurrent: 1 })), devices: [edgeDevice('alpha'), edgeDevice('beta')] });
    cleanups.push(() => hub.close());
    const client = await connectClient(hub.url, hub.token);
    cleanups.push(() => client.close());
    const slow = call(client, 'run_command', { host: 'alpha', command: 'silent:800' });
    await expect.poll(() => edges[0]!.calls.length).toBe(1);
    const queued = call(client, 'run_command', { host: 'alpha', command: 'second' });
    await expect.poll(() => hub.upstreams().find((u) => u.name === 'alpha')!.queued).toBe(1);
    const first = await Promise.race([slow.then(() => 'alpha'), call(client, 'run_command', { host: 'beta', command: 'quick' }).then(() => 'beta')]);
    expect(first).toBe('beta');
    expect(edges[0]!.calls).toHaveLength(1);
    await slow;
    expect(textOf(await queued)).toContain('alpha: second');
  });

  it('reconnects after an edge restarts, without restarting the hub', async () => {
    const { edges: [alpha], client } = await fleet(['alpha']);
    expect((await call(client, 'run_command', { host: 'alpha', command: 'one' })).isError).toBeFalsy();
    await alpha!.stop();
    const down = await call(client, 'run_command', { host: 'alpha', command: 'two' });
    expect(down.isError).toBe(true);
    expect(textOf(down)).toMatch(/^device alpha is down: /);
    const resources = await call(client, 'network_resources', {});
    expect((resources.structuredContent as { devices: { status: string }[] }).devices[0]!.status).toBe('down');
    await alpha!.restart();
    const back = await call(client, 'run_command', { host: 'alpha', command: 'three' });
    expect(textOf(back)).toContain('alpha: three');
    const after = await call(client, 'network_resources', {});
    expect((after.structuredContent as { devices: { status: string; version?: string }[] }).devices[0]).toMatchObject({ status: 'up', version: 'fake-1' });
  });

  it('an edge that dies mid-call ends the call with a clear error at once, and the hub stays up', async () => {
    const { edges: [alpha, beta], client } = await fleet(['alpha', 'beta']);
    const pending = call(client, 'run_command', { host: 'alpha', command: 'silent:5000' });
    await new Promise((r) => setTimeout(r, 150));
    const killedAt = performance.now();
    await alpha!.stop();
    const result = await pending;
    expect(performance.now() - killedAt).toBeLessThan(8000);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^device alpha is down: /);
    expect(textOf(await call(client, 'run_command', { host: 'beta', command: 'still here' }))).toContain('beta: still here');
  });

  it('per-call timeout: a silent device times out with a clear error; progress (asked by the client) keeps a long call alive', async () => {
    const { edges: [alpha], client } = await fleet(['alpha'], {});
    const edges = [alpha!];
    await client.close();
    const hub = await startTestHub({ specs: edges.map((e) => edgeSpec(e, { callTimeoutMs: 400 })), devices: [edgeDevice('alpha')] });
    cleanups.push(() => hub.close());
    const fast = await connectClient(hub.url, hub.token);
    cleanups.push(() => fast.close());
    const silent = await call(fast, 'run_command', { host: 'alpha', command: 'silent:3000' });
    expect(silent.isError).toBe(true);
    expect(textOf(silent)).toMatch(/^device alpha: no answer within 400 ms \(the call may still run on the device\)/);
    const talking = await call(fast, 'run_command', { host: 'alpha', command: 'sleep:1200' }, { onprogress: () => {} });
    expect(talking.isError).toBeFalsy();
    expect(textOf(talking)).toContain('slept 1200 ms');
  });

  it('progress from the edge reaches the client under its own token; a client cancel reaches the edge', async () => {
    const { edges: [alpha], client } = await fleet(['alpha']);
    const progress: { progress: number; message?: string }[] = [];
    await call(client, 'run_command', { host: 'alpha', command: 'sleep:300' }, { onprogress: (p: { progress: number }) => progress.push(p) });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    const controller = new AbortController();
    const cancelled = call(client, 'run_command', { host: 'alpha', command: 'sleep:5000' }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    controller.abort('user pressed stop');
    await expect(cancelled).rejects.toThrow();
    await expect.poll(() => alpha!.calls.at(-1)?.ended, { timeout: 1000 }).toBe('cancelled');
    // The client giving up says nothing about the device: it stays up.
    expect(((await call(client, 'network_resources', {})).structuredContent as { devices: { status: string }[] }).devices[0]!.status).toBe('up');
  });

  it('a client that hangs up mid-call gets the call cancelled on the edge', async () => {
    const { edges: [alpha], hub } = await fleet(['alpha']);
    const headers = { authorization: `Bearer ${hub.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const init = await fetch(hub.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const controller = new AbortController();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'run_command', arguments: { host: 'alpha', command: 'sleep:5000' } } });
    const pending = fetch(hub.url, { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body, signal: controller.signal }).catch(() => undefined);
    await expect.poll(() => alpha!.calls.length).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => alpha!.calls[0]!.ended, { timeout: 2000 }).toBe('cancelled');
  });

  it('a cancel whose reason is not a string still reaches the edge, and the hub answers the notification with 202', async () => {
    const { edges: [alpha], hub } = await fleet(['alpha']);
    const headers = { authorization: `Bearer ${hub.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const init = await fetch(hub.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await init.text();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'run_command', arguments: { host: 'alpha', command: 'sleep:5000' } } });
    const pending = fetch(hub.url, { method: 'POST', headers: session, body }).then((r) => r.text()).catch(() => undefined);
    await expect.poll(() => alpha!.calls.length).toBe(1);
    const cancel = await fetch(hub.url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2, reason: { toString: 1 } } }) });
    expect(cancel.status).toBe(202);
    await expect.poll(() => alpha!.calls[0]!.ended, { timeout: 2000 }).toBe('cancelled');
    void pending;
  });

  it("the client's token never reaches an edge; the audit log names the token, client and device and redacts env", async () => {
    const { edges: [alpha], hub, client } = await fleet(['alpha']);
    await call(client, 'run_command', { host: 'alpha', command: 'printenv', env: { SECRET: 'hunter2' } });
    await call(client, 'run_on_many', { target: 'all', command: 'true' });
    const seen = alpha!.headers.map((h) => JSON.stringify(h)).join('\n');
    expect(seen).not.toContain(hub.token);
    expect(alpha!.headers.filter((h) => h.authorization).every((h) => h.authorization === `Bearer ${EDGE_TOKEN}`)).toBe(true);
    await hub.close();
    expect(statSync(join(hub.stateDir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
    const lines = readFileSync(join(hub.stateDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ token: 'tester', client: { name: 'hub-test', version: '1.0.0' }, tool: 'run_command', devices: ['alpha'], command: 'printenv', outcome: 'ok', args: { env: { SECRET: '[redacted]' } } });
    expect(lines[1]).toMatchObject({ tool: 'run_on_many', devices: ['alpha'], outcome: 'ok' });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('a device without an edge token is down with a hint, answered at once', async () => {
    const { edges: [alpha] } = await fleet(['alpha']);
    const hub = await startTestHub({ specs: [edgeSpec(alpha!, { headers: {}, missingCredential: 'no edge token for alpha in .lanmcp/tokens/ (run `lanmcp apply` to provision it)' })], devices: [edgeDevice('alpha')] });
    cleanups.push(() => hub.close());
    const client = await connectClient(hub.url, hub.token);
    cleanups.push(() => client.close());
    const started = performance.now();
    const result = await call(client, 'system_info', { host: 'alpha' });
    expect(performance.now() - started).toBeLessThan(8000);
    expect(textOf(result)).toMatch(/^device alpha is down: no edge token for alpha .*lanmcp apply/);
  });
});
