import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../../src/hub/app.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';

// The fast lane (src/hub/mcp-fast-lane.ts) only exists on a listening hub: inject() calls Fastify's handler
// directly. Over real HTTP: what it takes is answered without Fastify; what it leaves gets Fastify's answers.
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fast-lane-test', version: '1.0.0' } } };
const ACCEPT = 'application/json, text/event-stream';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One request on a fresh connection; `chunked` sends the body without Content-Length. */
function send(port: number, headers: Record<string, string>, body: string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent: false, headers: chunked ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (chunked) req.write(body.slice(0, 5));
    req.end(chunked ? body.slice(5) : body);
  });
}

async function listeningHub(options: { bodyLimit?: number; burst?: number; beforeListen?: (hub: FastifyInstance) => void } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmcp-fast-lane-'));
  const tokens = createClientTokenStore(stateDir);
  const token = tokens.create('laptop');
  app = buildHub({ specs: [], auth: tokens, allowedHosts: ['127.0.0.1'], ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}), rateLimit: { burst: options.burst ?? 100, perSecond: 0.001 } });
  options.beforeListen?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const base = { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, accept: ACCEPT, 'content-type': 'application/json' };
  const init = await send(port, base, JSON.stringify(INIT));
  const sessionId = init.headers['mcp-session-id'] as string;
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  const inSession = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  const lane = app.hub.fastLane;
  return { port, inSession, stateDir, laneServed: () => lane.served };
}

describe('the fast lane for POSTs within a session', () => {
  it('answers valid session POSTs itself: requests, tool calls, notifications, bad JSON, an unknown session', async () => {
    const { port, inSession, laneServed } = await listeningHub();
    const before = laneServed();
    expect(JSON.parse((await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }))).body)).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
    const call = await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'network_resources', arguments: {} } }));
    expect([call.status, call.headers['mcp-session-id']]).toEqual([200, inSession['mcp-session-id']]);
    expect(JSON.parse(call.body)).toMatchObject({ id: 3, result: { structuredContent: { devices: [] } } });
    const junk = await send(port, inSession, '{"jsonrpc": "2.0",');
    expect([junk.status, JSON.parse(junk.body).error.code]).toEqual([400, -32700]);
    const gone = await send(port, { ...inSession, 'mcp-session-id': '00000000-0000-0000-0000-000000000000' }, JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' }));
    expect([gone.status, JSON.parse(gone.body).error.code]).toEqual([404, -32001]);
    const notification = await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect([notification.status, notification.body]).toEqual([202, '']);
    expect(laneServed() - before).toBe(5);
  });

  it("leaves every refusal to Fastify's checks, which answer as before: 403, 401, 415, 413, 429", async () => {
    const { port, inSession, laneServed } = await listeningHub({ bodyLimit: 512, burst: 3 });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' });
    const before = laneServed();
    const host = await send(port, { ...inSession, host: 'evil.example:80' }, ping);
    expect([host.status, JSON.parse(host.body).error.message]).toEqual([403, 'Forbidden: Host "evil.example:80" is not allowed']);
    const token = await send(port, { ...inSession, authorization: 'Bearer lmc_wrong' }, ping);
    expect([token.status, token.headers['www-authenticate']]).toEqual([401, expect.stringContaining('unknown or revoked token')]);
    const type = await send(port, { ...inSession, 'content-type': 'text/plain' }, ping);
    expect(type.status).toBe(415);
    const big = await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'ping', params: { pad: 'x'.repeat(600) } }));
    expect(big.status).toBe(413);
    expect(laneServed()).toBe(before);
    // The burst was 3: initialize took one, the 415 and the 413 one each in Fastify's guard: none is left.
    const limited = await send(port, inSession, ping);
    expect([limited.status, Number(limited.headers['retry-after'])]).toEqual([429, expect.any(Number)]);
    expect(laneServed()).toBe(before);
  });

  it('a client that hangs up in the middle of its body costs nothing: the next request is served', async () => {
    const { port, inSession, laneServed } = await listeningHub();
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent: false, headers: { ...inSession, 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('{"jsonrpc":', () => setTimeout(() => { req.destroy(); resolve(); }, 50));
    });
    const before = laneServed();
    expect(JSON.parse((await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }))).body)).toEqual({ jsonrpc: '2.0', id: 8, result: {} });
    expect(laneServed()).toBe(before + 1);
  });

  it('a token store that cannot be read is a 500 for that request, from Fastify, and the hub keeps serving', async () => {
    const { port, inSession, stateDir, laneServed } = await listeningHub();
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' });
    const good = readFileSync(join(stateDir, 'clients.json'), 'utf8');
    writeFileSync(join(stateDir, 'clients.json'), '{"tokens": [ broken');
    const before = laneServed();
    const broken = await send(port, inSession, ping);
    expect([broken.status, JSON.parse(broken.body).error.message]).toEqual([500, expect.stringContaining('clients.json is not valid JSON')]);
    expect(laneServed()).toBe(before);
    writeFileSync(join(stateDir, 'clients.json'), good);
    expect(JSON.parse((await send(port, inSession, ping)).body)).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
    expect(laneServed()).toBe(before + 1);
  });

  it('leaves a chunked body (no Content-Length) to Fastify, which reads and answers it', async () => {
    const { port, inSession, laneServed } = await listeningHub();
    const before = laneServed();
    const answer = await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }), true);
    expect(JSON.parse(answer.body)).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    expect(laneServed()).toBe(before);
  });
});

describe('the listener the lane sits on', () => {
  it('is still one Fastify listens with: `localhost` binds every address it names', async () => {
    const tokens = createClientTokenStore(mkdtempSync(join(tmpdir(), 'lanmcp-fast-lane-')));
    tokens.create('laptop');
    app = buildHub({ specs: [], auth: tokens, allowedHosts: ['localhost'] });
    await app.listen({ host: 'localhost', port: 0 });
    const families = new Set((await lookup('localhost', { all: true })).map((a) => a.family));
    expect(new Set(app.addresses().map((a) => ((a as AddressInfo).family === 'IPv6' ? 6 : 4)))).toEqual(families);
  });

  it('takes nothing once the hub is closing: Fastify answers 503 and closes the connection', async () => {
    let whileClosing = async () => {};
    // Added after the hub's own preClose hook, so it runs once the lane is shut, while the server still accepts.
    const { port, inSession, laneServed } = await listeningHub({ beforeListen: (hub) => hub.addHook('preClose', () => whileClosing()) });
    const before = laneServed();
    let during: Answer | undefined;
    whileClosing = async () => { during = await send(port, inSession, JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'ping' })); };
    await app!.close();
    app = undefined;
    expect([during?.status, during?.headers.connection]).toEqual([503, 'close']);
    expect(laneServed()).toBe(before);
  });
});
