import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunRequest } from '../../../src/edge/system.js';
import { createFakeSystem, type FakeSystem } from '../../unit/edge/fake-system.js';
import { createEdgeHttpServer } from '../../../src/edge/http.js';
import { allowedHostnames } from '../../../src/edge/http-rules.js';
import { TEST_TOKEN, testConfig } from '../../unit/edge/test-config.js';
import { oversizedHead, sendUnparsableThenKeepWriting } from '../../support/unparsable-request.js';
import { MCP_HEADERS, listenEdge, rawRequest, rpc, sseMessages, type Listening } from './http-helpers.js';

const runUntilAborted = (r: RunRequest) =>
  new Promise<{ exitCode: null; signal: string; aborted: string }>((resolve) => r.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', aborted: String(r.signal.reason) }), { once: true }));

let edge: Listening | undefined;
let system: FakeSystem;
afterEach(async () => {
  await edge?.shutdown(100);
  edge = undefined;
});

async function start(extra: Record<string, unknown> = {}) {
  system = createFakeSystem();
  edge = await listenEdge(testConfig({}, { max_request_bytes: 4096, ...extra }), system);
  return edge;
}

const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });

describe('edge HTTP rules', () => {
  it('GET /healthz answers without auth, revealing only liveness and version', async () => {
    const { port } = await start();
    const res = await rawRequest(port, { method: 'GET', path: '/healthz' });
    expect([res.status, JSON.parse(res.body)]).toEqual([200, { ok: true, version: '9.9.9-test' }]);
  });

  it('401 with WWW-Authenticate for a missing or wrong token; no OAuth discovery documents', async () => {
    const { port } = await start();
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TEST_TOKEN}`]) {
      const headers: Record<string, string> = { ...MCP_HEADERS };
      if (authorization) headers.authorization = authorization;
      else delete (headers as { authorization?: string }).authorization;
      const res = await rawRequest(port, { headers, body: initialize });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource/mcp']) {
      expect((await rawRequest(port, { method: 'GET', path })).status).toBe(404);
    }
  });

  it('403 for a foreign Host or Origin (DNS rebinding), even with a valid token', async () => {
    const { port } = await start();
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, host: 'evil.example.com' }, body: initialize })).status).toBe(403);
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, origin: 'http://evil.example.com' }, body: initialize })).status).toBe(403);
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, host: 'kitchen-pi:8766', origin: 'http://localhost:5173' }, body: initialize })).status).toBe(200);
  });

  it('405 for GET and DELETE (stateless: no SSE stream, no sessions), 406, 415, 413, 400', async () => {
    const { port } = await start();
    const get = await rawRequest(port, { method: 'GET', headers: MCP_HEADERS });
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await rawRequest(port, { method: 'DELETE', headers: MCP_HEADERS })).status).toBe(405);
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, accept: 'application/json' }, body: initialize })).status).toBe(406);
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, 'content-type': 'text/plain' }, body: initialize })).status).toBe(415);
    const big = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(2, 'tools/call', { name: 'write_file', arguments: { path: '/x', content: 'x'.repeat(10_000) } }) });
    expect([big.status, JSON.parse(big.body).error.message]).toEqual([413, 'Payload Too Large: the limit is 4096 bytes']);
    const parse = await rawRequest(port, { headers: MCP_HEADERS, body: '{"jsonrpc":' });
    expect([parse.status, JSON.parse(parse.body).error.code]).toEqual([400, -32700]);
    expect((await rawRequest(port, { headers: { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' }, body: initialize })).status).toBe(400);
    expect((await rawRequest(port, { headers: MCP_HEADERS, body: `[${initialize}]` })).status).toBe(400);
    const invalid = await rawRequest(port, { headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":{}}' });
    expect([invalid.status, JSON.parse(invalid.body).error.code]).toEqual([400, -32600]);
    expect((await rawRequest(port, { method: 'POST', path: '/other', headers: MCP_HEADERS, body: initialize })).status).toBe(404);
  });

  it('a refusal waits for a body the client is still sending: no reset, and the connection stays usable', async () => {
    const { port } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = rpc(3, 'tools/call', { name: 'run_command', arguments: { command: 'true', env: { K: 'v'.repeat(3000) } } });
    // Sent in three parts 50 ms apart: the edge can refuse (wrong token) right after the headers.
    const refused = await new Promise<{ status: number; sentAll: boolean }>((resolve, reject) => {
      let sentAll = false;
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent, headers: { ...MCP_HEADERS, authorization: 'Bearer wrong', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sentAll }));
      });
      req.on('error', reject);
      const third = Math.ceil(body.length / 3);
      req.write(body.slice(0, third));
      setTimeout(() => req.write(body.slice(third, 2 * third)), 50);
      setTimeout(() => { sentAll = true; req.end(body.slice(2 * third)); }, 100);
    });
    expect(refused).toEqual({ status: 401, sentAll: true });
    const next = await new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent, headers: MCP_HEADERS }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(initialize);
    });
    expect(next).toEqual({ status: 200, reused: true });
    agent.destroy();
  });

  // Found by the lab fuzz run (seed 20261126, request #1723): a 19 KB header and a 53 KB body met a reset.
  it('a head over 16 KiB gets 431 with Connection: close, and a client still sending its body meets no reset', async () => {
    const { port } = await start();
    const outcome = await sendUnparsableThenKeepWriting(port, { fillerBytes: 20_000, afterAnswer: 3000 });
    expect(outcome.error).toBe('');
    expect(outcome.answer).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  it('413 also for a body streamed without Content-Length', async () => {
    const { port } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('negotiates older protocol versions; notifications get 202 with no body; JSON for quick calls', async () => {
    const { port } = await start();
    for (const version of ['2025-06-18', '2025-03-26', '2024-11-05', '2023-01-01']) {
      const res = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(1, 'initialize', { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } }) });
      expect(JSON.parse(res.body).result.protocolVersion).toBe(version === '2023-01-01' ? '2025-11-25' : version);
    }
    const note = await rawRequest(port, { headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
    expect([note.status, note.body]).toEqual([202, '']);
    const list = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(3, 'tools/list') });
    expect(list.headers['content-type']).toBe('application/json');
    expect(JSON.parse(list.body).result.tools).toHaveLength(7);
    const unknown = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(4, 'resources/list') });
    expect(JSON.parse(unknown.body).error).toEqual({ code: -32601, message: 'Method not found: resources/list' });
  });

  it('arguments nested 10,000 deep are an isError result, still audited (cut at a fixed depth), never a 500', async () => {
    const { port } = await start({ max_request_bytes: 1_048_576 });
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const [name, args] of [['read_file', `{"path":"/etc/hostname","extra":${deep}}`], ['write_file', `{"path":"/x","content":${deep}}`]]) {
      const res = await rawRequest(port, { headers: MCP_HEADERS, body: `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"${name}","arguments":${args}}}` });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ id: 7, result: { isError: true, content: [{ text: expect.stringMatching(/^invalid arguments for /) }] } });
    }
    // Audited with the arguments cut at a fixed depth, so the line stays small and valid.
    const entries = system.auditEntries();
    expect(entries.map((e) => [e.tool, e.rule])).toEqual([['read_file', 'input_schema'], ['write_file', 'input_schema']]);
    expect(entries[0]!.arguments).toMatchObject({ path: '/etc/hostname' });
    expect(JSON.stringify(entries[0]!.arguments)).toContain('[too deep]');
    // write_file's own redaction cannot walk such a value: the line is still written, without the arguments.
    expect(entries[1]!.arguments).toEqual({ unloggable: 'arguments too deeply nested to log' });
  });

  it('run_command answers as SSE with progress events, then the result', async () => {
    const { port } = await start({ progress_interval_ms: 10 });
    system.onRun = () => new Promise((resolve) => setTimeout(() => resolve({ stdout: 'ok' }), 250));
    const res = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(5, 'tools/call', { name: 'run_command', arguments: { command: 'sleep 1' }, _meta: { progressToken: 'tok' } }) });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const messages = sseMessages(res.body);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages.slice(0, -1).every((m) => m.method === 'notifications/progress' && (m.params as { progressToken: string }).progressToken === 'tok')).toBe(true);
    expect(messages.at(-1)).toMatchObject({ id: 5, result: { structuredContent: { stdout: 'ok' } } });
  });

  it('an SDK Client over StreamableHTTPClientTransport with the bearer header lists and calls tools, with progress', async () => {
    const { url } = await start({ progress_interval_ms: 10 });
    system.onRun = () => new Promise((resolve) => setTimeout(() => resolve({ stdout: 'upgraded' }), 200));
    const client = new Client({ name: 'hub-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TEST_TOKEN}` } } }));
    expect((await client.listTools()).tools).toHaveLength(7);
    const progress: number[] = [];
    const result = await client.callTool({ name: 'run_command', arguments: { command: 'apt-get upgrade' } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(result.structuredContent).toMatchObject({ stdout: 'upgraded' });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    await client.close();
  });

  it('a notifications/cancelled POST aborts the call running in another request, whose stream then ends with the result', async () => {
    const { port } = await start();
    system.onRun = runUntilAborted;
    const call = rawRequest(port, { headers: MCP_HEADERS, body: rpc(77, 'tools/call', { name: 'run_command', arguments: { command: 'sleep 100' } }) });
    await vi.waitFor(() => expect(system.runs).toHaveLength(1));
    const cancel = await rawRequest(port, { headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 77, reason: 'stop' } }) });
    expect(cancel.status).toBe(202);
    const messages = sseMessages((await call).body);
    expect(messages.at(-1)).toMatchObject({ id: 77, result: { isError: true, structuredContent: { cancelled: true } } });
    expect(String(system.runs[0]!.signal.reason)).toBe('cancelled: stop');
  });

  it('the client closing its connection aborts the call', async () => {
    const { port } = await start();
    system.onRun = runUntilAborted;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: MCP_HEADERS });
    req.on('error', () => {});
    req.end(rpc(8, 'tools/call', { name: 'run_command', arguments: { command: 'sleep 100' } }));
    await vi.waitFor(() => expect(system.runs).toHaveLength(1));
    req.destroy();
    await vi.waitFor(() => expect(system.runs[0]!.signal.aborted).toBe(true));
    expect(String(system.runs[0]!.signal.reason)).toBe('the client closed the connection');
  });

  it('shutdown closes a connection lingering after a 431 at once, instead of waiting out the grace period', async () => {
    const listening = await start();
    edge = undefined;
    const client = connect({ host: '127.0.0.1', port: listening.port, allowHalfOpen: true });
    client.on('error', () => {});
    client.write(oversizedHead({ fillerBytes: 20_000, bodyBytes: 3000 }));
    await new Promise((resolve) => client.once('data', resolve));
    // A grace period far past the test's timeout: waiting it out would fail the test.
    await listening.shutdown(60_000);
    expect(await new Promise((resolve) => listening.server.getConnections((_error, count) => resolve(count)))).toBe(0);
    client.destroy();
  });

  it('shutdown aborts running calls, lets their responses finish, then stops listening', async () => {
    const listening = await start();
    edge = undefined;
    system.onRun = runUntilAborted;
    const call = rawRequest(listening.port, { headers: MCP_HEADERS, body: rpc(9, 'tools/call', { name: 'run_command', arguments: { command: 'sleep 100' } }) });
    await vi.waitFor(() => expect(system.runs).toHaveLength(1));
    await listening.shutdown(2000);
    expect(sseMessages((await call).body).at(-1)).toMatchObject({ id: 9, result: { structuredContent: { cancelled: true } } });
    expect(String(system.runs[0]!.signal.reason)).toBe('the edge is shutting down');
    await expect(rawRequest(listening.port, { method: 'GET', path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a bug in the edge answers 500 with a JSON-RPC internal error (or ends an SSE stream) and the server lives on', async () => {
    const config = testConfig();
    const broken = { handle: () => Promise.reject(new Error('bug')), abortAll: () => {}, inFlight: 0 };
    const http = createEdgeHttpServer(broken, config, { allowedHosts: allowedHostnames(config, 'kitchen-pi', []), version: 't' });
    await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
    const { port } = http.server.address() as { port: number };
    try {
      const res = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(1, 'tools/list') });
      expect([res.status, JSON.parse(res.body).error]).toEqual([500, { code: -32603, message: 'internal error: bug' }]);
      const sse = await rawRequest(port, { headers: MCP_HEADERS, body: rpc(2, 'tools/call', { name: 'run_command', arguments: { argv: ['true'] } }) });
      expect([sse.status, sseMessages(sse.body)]).toEqual([200, []]);
      expect((await rawRequest(port, { method: 'GET', path: '/healthz' })).status).toBe(200);
    } finally {
      await http.shutdown(100);
    }
  });
});
