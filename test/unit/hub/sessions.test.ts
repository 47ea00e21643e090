import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHub, type HubOptions } from '../../../src/hub/app.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'sessions-test', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

function setup(options: Partial<HubOptions> = {}) {
  const tokens = createClientTokenStore(mkdtempSync(join(tmpdir(), 'lanmcp-hub-sessions-')));
  const token = tokens.create('laptop');
  app = buildHub({ specs: [], auth: tokens, allowedHosts: ['localhost'], ...options });
  const headers = (extra: Record<string, string> = {}) => ({ host: 'localhost', authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...extra });
  const open = async () => (await app!.inject({ method: 'POST', url: '/mcp', headers: headers(), payload: INIT })).headers['mcp-session-id'] as string;
  const list = async (id: string) => (await app!.inject({ method: 'POST', url: '/mcp', headers: headers({ 'mcp-session-id': id }), payload: LIST })).statusCode;
  return { app, headers, open, list };
}

describe('session lifetime (bounded memory)', () => {
  it('an idle session expires: its id then answers 404 and the client re-initializes', async () => {
    const hub = setup({ sessions: { idleMs: 100 } });
    const id = await hub.open();
    expect(await hub.list(id)).toBe(200);
    await new Promise((r) => setTimeout(r, 1300));
    expect(hub.app.hub.sessions.size).toBe(0);
    expect(await hub.list(id)).toBe(404);
  });

  it('beyond the session cap the least recently used session is closed', async () => {
    const hub = setup({ sessions: { max: 2 } });
    const first = await hub.open();
    const second = await hub.open();
    expect(await hub.list(first)).toBe(200);
    const third = await hub.open();
    expect(hub.app.hub.sessions.size).toBe(2);
    expect(await hub.list(second)).toBe(404);
    expect(await hub.list(first)).toBe(200);
    expect(await hub.list(third)).toBe(200);
  });
});

describe('JSON or SSE per request', () => {
  it('answers JSON unless the call asked for progress, then SSE with the result as an event', async () => {
    const hub = setup();
    const call = (meta?: Record<string, unknown>) => hub.app.inject({
      method: 'POST', url: '/mcp/stateless', headers: hub.headers(),
      payload: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'network_resources', arguments: {}, ...(meta ? { _meta: meta } : {}) } },
    });
    const plain = await call();
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect(plain.json().result.content[0].text).toBe('no devices in the inventory');
    const streamed = await call({ progressToken: 'p1' });
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(streamed.body).toMatch(/^event: message\ndata: \{.*"id":7/m);
  });

  it('an unknown tool is an isError result naming it, like McpServer does', async () => {
    const hub = setup();
    const response = await hub.app.inject({ method: 'POST', url: '/mcp/stateless', headers: hub.headers(), payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'rm_rf', arguments: {} } } });
    expect(response.json().result).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/unknown tool "rm_rf"/) }] });
    const metrics = await hub.app.inject({ method: 'GET', url: '/metrics', headers: hub.headers() });
    expect(metrics.body).toContain('lanmcp_hub_call_errors_total{tool="(unknown)",device="-"} 1');
    expect(metrics.body).not.toContain('rm_rf');
  });
});
