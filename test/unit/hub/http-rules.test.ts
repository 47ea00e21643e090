import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHub, type HubOptions } from '../../../src/hub/app.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';

// The Streamable HTTP rules table (notes/mcp-http.md) and the hub checklist (notes/security.md), via inject().
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'rules-test', version: '1.0.0' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
const ACCEPT = 'application/json, text/event-stream';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

function setup(options: Partial<HubOptions> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmcp-hub-rules-'));
  const tokens = createClientTokenStore(stateDir);
  const token = tokens.create('laptop');
  app = buildHub({ specs: [], auth: tokens, allowedHosts: ['127.0.0.1', 'localhost', 'hub.example.com'], ...options });
  const headers = (extra: Record<string, string> = {}) => ({ host: 'localhost:8765', authorization: `Bearer ${token}`, accept: ACCEPT, 'content-type': 'application/json', ...extra });
  return { app, tokens, token, headers, stateDir };
}

async function initialize(hub: ReturnType<typeof setup>) {
  const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: INIT });
  expect(response.statusCode).toBe(200);
  const id = response.headers['mcp-session-id'];
  expect(typeof id).toBe('string');
  return id as string;
}

describe('Streamable HTTP rules', () => {
  it('initialize answers JSON with a session id; the session then serves tools/list', async () => {
    const hub = setup();
    const id = await initialize(hub);
    const list = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }), payload: LIST });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toMatch(/application\/json/);
    expect(list.json().result.tools.map((t: { name: string }) => t.name)).toEqual(['network_resources']);
  });

  it('406 when Accept lacks application/json or text/event-stream, and no session is left behind', async () => {
    const hub = setup();
    const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ accept: 'application/json' }), payload: INIT });
    expect(response.statusCode).toBe(406);
    expect(hub.app.hub.sessions.size).toBe(0);
  });

  it('415 for a non-JSON Content-Type; 400 with -32700 for bad JSON', async () => {
    const hub = setup();
    const text = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'content-type': 'text/plain' }), payload: 'hello' });
    expect(text.statusCode).toBe(415);
    const bad = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: '{"jsonrpc":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe(-32700);
  });

  it('400 for a request other than initialize without Mcp-Session-Id', async () => {
    const hub = setup();
    const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: LIST });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/Mcp-Session-Id/);
  });

  it('404 for an unknown session, and for a session after DELETE', async () => {
    const hub = setup();
    const unknown = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'mcp-session-id': 'nope' }), payload: LIST });
    expect(unknown.statusCode).toBe(404);
    const id = await initialize(hub);
    const deleted = await hub.app.inject({ method: 'DELETE', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id }) });
    expect(deleted.statusCode).toBe(200);
    const after = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id }), payload: LIST });
    expect(after.statusCode).toBe(404);
    expect((await hub.app.inject({ method: 'GET', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id }) })).statusCode).toBe(404);
  });

  it("404 for another token's session id", async () => {
    const hub = setup();
    const id = await initialize(hub);
    const other = hub.tokens.create('phone');
    const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ authorization: `Bearer ${other}`, 'mcp-session-id': id }), payload: LIST });
    expect(response.statusCode).toBe(404);
  });

  it('400 for an unsupported MCP-Protocol-Version', async () => {
    const hub = setup();
    const id = await initialize(hub);
    const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id, 'mcp-protocol-version': '1999-01-01' }), payload: LIST });
    expect(response.statusCode).toBe(400);
  });

  it('202 with no body for a notification', async () => {
    const hub = setup();
    const id = await initialize(hub);
    const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ 'mcp-session-id': id }), payload: { jsonrpc: '2.0', method: 'notifications/initialized' } });
    expect(response.statusCode).toBe(202);
    expect(response.body).toBe('');
  });

  it('405 for methods the endpoint does not serve; the stateless endpoint serves POST only', async () => {
    const hub = setup();
    const put = await hub.app.inject({ method: 'PUT', url: '/mcp', headers: hub.headers(), payload: INIT });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, DELETE');
    expect((await hub.app.inject({ method: 'GET', url: '/mcp/stateless', headers: hub.headers() })).statusCode).toBe(405);
    expect((await hub.app.inject({ method: 'DELETE', url: '/mcp/stateless', headers: hub.headers() })).statusCode).toBe(405);
  });

  it('the stateless endpoint answers any request without a session', async () => {
    const hub = setup();
    const response = await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers(), payload: LIST });
    expect(response.statusCode).toBe(200);
    expect(response.headers['mcp-session-id']).toBeUndefined();
    expect(response.json().result.tools[0].name).toBe('network_resources');
  });
});

describe('hub checklist: Host/Origin, tokens, limits', () => {
  it('403 for a foreign Host or Origin; the public URL host and loopback names are accepted', async () => {
    const hub = setup();
    const evilHost = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ host: 'evil.example.com' }), payload: INIT });
    expect(evilHost.statusCode).toBe(403);
    const evilOrigin = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ origin: 'http://evil.example.com' }), payload: INIT });
    expect(evilOrigin.statusCode).toBe(403);
    const publicHost = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ host: 'hub.example.com', origin: 'https://hub.example.com' }), payload: INIT });
    expect(publicHost.statusCode).toBe(200);
  });

  it('401 with a Bearer invalid_token challenge: no token, a wrong one, an edge token, a revoked one', async () => {
    const hub = setup();
    const attempts = [undefined, 'Bearer lmc_wrongwrongwrongwrongwrongwrong', 'Bearer lme_an-edge-token-is-not-a-client-token', 'Basic dXNlcjpwYXNz'];
    for (const authorization of attempts) {
      const headers = hub.headers(authorization ? { authorization } : {});
      if (!authorization) delete (headers as Record<string, string>).authorization;
      const response = await hub.app.inject({ method: 'POST', url: '/mcp', headers, payload: INIT });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    const edge = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers({ authorization: 'Bearer lme_an-edge-token-is-not-a-client-token' }), payload: INIT });
    expect(edge.headers['www-authenticate']).toMatch(/edge token/);
    expect(hub.tokens.revoke('laptop')).toBe(true);
    const revoked = await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: INIT });
    expect(revoked.statusCode).toBe(401);
  });

  it('a token revoked by another process (the CLI) is refused by the running hub', async () => {
    const hub = setup();
    expect((await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: INIT })).statusCode).toBe(200);
    expect(createClientTokenStore(hub.stateDir).revoke('laptop')).toBe(true);
    expect((await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: INIT })).statusCode).toBe(401);
  });

  it('no OAuth discovery documents: /.well-known/* is 404 even without a token', async () => {
    const hub = setup();
    for (const url of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/.well-known/oauth-protected-resource/mcp']) {
      expect((await hub.app.inject({ method: 'GET', url, headers: { host: 'localhost' } })).statusCode, url).toBe(404);
    }
  });

  it('413 beyond the body limit', async () => {
    const hub = setup({ bodyLimit: 1024 });
    const big = { ...INIT, params: { ...INIT.params, padding: 'x'.repeat(4096) } };
    expect((await hub.app.inject({ method: 'POST', url: '/mcp', headers: hub.headers(), payload: big })).statusCode).toBe(413);
  });

  it('429 with Retry-After once a token spends its burst; other tokens are unaffected', async () => {
    const hub = setup({ rateLimit: { burst: 3, perSecond: 0.5 } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers(), payload: LIST })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers(), payload: LIST });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = hub.tokens.create('phone');
    expect((await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers({ authorization: `Bearer ${other}` }), payload: LIST })).statusCode).toBe(200);
  });

  it('/healthz answers without a token; /metrics needs one and counts calls', async () => {
    const hub = setup();
    const health = await hub.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'localhost' } });
    expect(health.json()).toMatchObject({ ok: true });
    expect((await hub.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } })).statusCode).toBe(401);
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'network_resources', arguments: {} } };
    expect((await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers(), payload: call })).statusCode).toBe(200);
    const metrics = await hub.app.inject({ method: 'GET', url: '/metrics', headers: hub.headers() });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('lanmcp_hub_calls_total{tool="network_resources",device="-"} 1');
    expect(metrics.body).toContain('lanmcp_hub_call_duration_seconds_count{tool="network_resources",device="-"} 1');
    expect(metrics.body).toContain('lanmcp_hub_in_flight_calls 0');
  });
});
