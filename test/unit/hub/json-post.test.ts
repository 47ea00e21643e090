import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../../src/hub/app.js';
import { checkSessionPost, isJsonMediaType } from '../../../src/hub/post-checks.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';

// The hub's plain-JSON answer to a POST in an open session (no SDK transport): the same statuses, headers
// and bodies the SDK's JSON mode gives, batches included.
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'json-post-test', version: '1.0.0' } } };
const ACCEPT = 'application/json, text/event-stream';
const list = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });
const ping = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function session() {
  const tokens = createClientTokenStore(mkdtempSync(join(tmpdir(), 'lanmcp-json-post-')));
  const token = tokens.create('laptop');
  app = buildHub({ specs: [], auth: tokens, allowedHosts: ['localhost'] });
  const base = { host: 'localhost:8765', authorization: `Bearer ${token}`, accept: ACCEPT, 'content-type': 'application/json' };
  const init = await app.inject({ method: 'POST', url: '/mcp', headers: base, payload: INIT });
  const id = init.headers['mcp-session-id'] as string;
  const headers = (extra: Record<string, string> = {}) => ({ ...base, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25', ...extra });
  const post = (payload: unknown, extra: Record<string, string> = {}) => app!.inject({ method: 'POST', url: '/mcp', headers: headers(extra), payload: payload as object });
  const stateless = (payload: unknown, extra: Record<string, string> = {}) => app!.inject({ method: 'POST', url: '/mcp/stateless', headers: { ...base, ...extra }, payload: payload as object });
  return { id, post, stateless };
}

describe('POST in a session, answered as one JSON body', () => {
  it('one request: 200, application/json, the session id, one JSON-RPC response object', async () => {
    const { id, post } = await session();
    const response = await post(ping('a'));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['mcp-session-id']).toBe(id);
    expect(response.json()).toEqual({ jsonrpc: '2.0', id: 'a', result: {} });
  });

  it('a batch: an array with one response per request; a request plus a notification: just that response', async () => {
    const { post } = await session();
    const both = await post([ping(7), list(8)]);
    expect(both.statusCode).toBe(200);
    const answers = both.json() as Array<{ id: number; result: Record<string, unknown> }>;
    expect(answers.map((a) => a.id)).toEqual([7, 8]);
    expect(answers[1]!.result.tools).toEqual([expect.objectContaining({ name: 'network_resources' })]);
    const mixed = await post([ping(9), { jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(mixed.json()).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
  });

  it('notifications only: 202 with no body', async () => {
    const { post } = await session();
    const response = await post([{ jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]);
    expect(response.statusCode).toBe(202);
    expect(response.body).toBe('');
  });

  it('an unknown method is a JSON-RPC error response (200), as from any MCP server', async () => {
    const { post } = await session();
    const response = await post({ jsonrpc: '2.0', id: 3, method: 'no/such/method' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 3, error: { code: -32601 } });
  });

  it('refusals: 406 without both Accept types, 400 for a second initialize, a non-JSON-RPC message or an unknown protocol version', async () => {
    const { id, post } = await session();
    const accept = await post(ping(1), { accept: 'application/json' });
    expect(accept.statusCode).toBe(406);
    expect(accept.headers['mcp-session-id']).toBe(id);
    const again = await post(INIT);
    expect([again.statusCode, again.json().error.code]).toEqual([400, -32600]);
    const junk = await post({ hello: 'world' });
    expect([junk.statusCode, junk.json().error.code]).toEqual([400, -32700]);
    const version = await post(ping(2), { 'mcp-protocol-version': '1999-01-01' });
    expect(version.statusCode).toBe(400);
    expect(version.json().error.message).toMatch(/Unsupported protocol version: 1999-01-01/);
    // A `_meta` the SDK's schema refuses is refused here too (its server would drop it unanswered: fuzz #291).
    const meta = await post({ jsonrpc: '2.0', id: 4, method: 'ping', params: { _meta: 'logs' } });
    expect([meta.statusCode, meta.json().error.code]).toEqual([400, -32700]);
    expect((await post({ jsonrpc: '2.0', id: 5, method: 'ping', params: { _meta: { progressToken: 't' } } })).json()).toEqual({ jsonrpc: '2.0', id: 5, result: {} });
    // The session survived every refusal.
    expect((await post(ping(6))).json()).toEqual({ jsonrpc: '2.0', id: 6, result: {} });
  });
});

describe('tools/call on the JSON path', () => {
  const call = (id: number, params: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params });
  /** Counts the calls that reach the session's SDK server (its Protocol's handler map: SDK internals, test only). */
  const countSdkCalls = (id: string) => {
    const server = app!.hub.sessions.get(id, 'laptop')!.server as unknown as { _requestHandlers: Map<string, (...args: unknown[]) => unknown> };
    const original = server._requestHandlers.get('tools/call')!;
    const counter = { calls: 0 };
    server._requestHandlers.set('tools/call', (...args) => { counter.calls += 1; return original(...args); });
    return counter;
  };

  it('a plain call is answered by the hub itself, alone or in a batch, in a session and stateless', async () => {
    const { id, post, stateless } = await session();
    const sdk = countSdkCalls(id);
    const one = await post(call(1, { name: 'network_resources', arguments: {} }));
    expect(one.json()).toMatchObject({ jsonrpc: '2.0', id: 1, result: { structuredContent: { devices: [] } } });
    const batch = (await post([call(2, { name: 'network_resources' }), ping(3)])).json() as Array<{ id: number; result: Record<string, unknown> }>;
    expect(batch.map((a) => a.id)).toEqual([2, 3]);
    expect(batch[0]!.result).toMatchObject({ structuredContent: { devices: [] } });
    expect((await stateless(call(4, { name: 'network_resources' }))).json()).toMatchObject({ id: 4, result: { structuredContent: { devices: [] } } });
    // An unknown tool is the agent's error to read, not a protocol error.
    expect((await post(call(5, { name: 'no_such_tool', arguments: {} }))).json()).toMatchObject({ id: 5, result: { isError: true, content: [{ text: expect.stringMatching(/unknown tool "no_such_tool"/) }] } });
    expect(sdk.calls).toBe(0);
  });

  it("anything but a plain call goes to the SDK's server and gets its answer: a bad name or arguments is its schema error", async () => {
    const { id: sessionId, post } = await session();
    const sdk = countSdkCalls(sessionId);
    for (const [id, params, field] of [[1, { name: 5 }, 'name'], [2, { name: 'network_resources', arguments: ['x'] }, 'arguments'], [3, {}, 'name']] as const) {
      const answer = (await post(call(id, params))).json() as { id: number; error?: { code: number; message: string } };
      expect(answer).toMatchObject({ id, error: { code: -32603, message: expect.stringContaining(`"${field}"`) } });
    }
    const withMeta = await post(call(4, { name: 'network_resources', _meta: { trace: 'x' } }));
    expect(withMeta.json()).toMatchObject({ id: 4, result: { structuredContent: { devices: [] } } });
    expect(sdk.calls).toBe(4);
  });
});

describe('POST /mcp/stateless, answered as one JSON body', () => {
  it('initialize, a request and a batch are answered without a session id; refusals as in a session', async () => {
    const { stateless } = await session();
    const init = await stateless(INIT);
    expect(init.statusCode).toBe(200);
    expect(init.headers['mcp-session-id']).toBeUndefined();
    expect(init.json()).toMatchObject({ id: 1, result: { serverInfo: { name: 'lanmcp-hub' } } });
    const batch = await stateless([ping(1), list(2)]);
    expect((batch.json() as Array<{ id: number }>).map((a) => a.id)).toEqual([1, 2]);
    expect(batch.headers['mcp-session-id']).toBeUndefined();
    expect((await stateless([INIT, ping(2)])).statusCode).toBe(400);
    expect((await stateless(ping(3), { accept: 'application/json' })).statusCode).toBe(406);
    expect((await stateless({ jsonrpc: '2.0', method: 'notifications/initialized' })).statusCode).toBe(202);
  });
});

describe('checkSessionPost (pure)', () => {
  const headers = { accept: ACCEPT, 'content-type': 'application/json' };
  it('accepts requests, notifications and responses; refuses a batch over 100 and malformed messages', () => {
    expect(checkSessionPost(headers, ping(1))).toEqual([ping(1)]);
    expect(checkSessionPost(headers, [{ jsonrpc: '2.0', id: 4, result: {} }])).toHaveLength(1);
    expect(checkSessionPost(headers, Array.from({ length: 101 }, (_, i) => ping(i)))).toMatchObject({ status: 400, code: -32600 });
    expect(checkSessionPost(headers, { jsonrpc: '1.0', id: 1, method: 'ping' })).toMatchObject({ status: 400, code: -32700 });
    expect(checkSessionPost(headers, { jsonrpc: '2.0', id: 1.5, method: 'ping' })).toMatchObject({ status: 400, code: -32700 });
    expect(checkSessionPost({ ...headers, 'content-type': 'text/plain' }, ping(1))).toMatchObject({ status: 415 });
  });

  it('reads the media type essence of Content-Type', () => {
    expect(isJsonMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('Application/JSON')).toBe(true);
    expect(isJsonMediaType('application/json-seq')).toBe(false);
    expect(isJsonMediaType(undefined)).toBe(false);
  });
});
