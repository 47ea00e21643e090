import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSystem, type FakeSystem } from '../../unit/edge/fake-system.js';
import { TEST_TOKEN, testConfig } from '../../unit/edge/test-config.js';
import { listenEdge, MCP_HEADERS, rawRequest, rpc, type Listening } from '../edge/http-helpers.js';
import { rawRequests } from './hostile-http.js';
import { deepArray } from './hostile-values.js';
import { fuzzEdge } from './fuzz-run.js';
import { rawStatuses, sendRaw } from './http-send.js';
import { prototypePollution } from './oracle.js';
import { createRandom, fuzzSettings } from './random.js';

// Thousands of hostile requests at the edge's real node:http server on loopback, over fake OS probes
// (fast, and nothing on this machine is touched). Every reply must be the status the rules table asks
// for, with a well-formed JSON-RPC body; never a 5xx, a reset or a hang.
const MAX_BYTES = 65_536;
/** `[[…]]` inside tool arguments goes this deep: far past what JSON.stringify can serialize (~4000). */
const ARGUMENT_DEPTH = 20_000;
const { seed, scale } = fuzzSettings();
const COUNT = Math.round(1500 * scale);

let edge: Listening;
let system: FakeSystem;
beforeAll(async () => {
  system = createFakeSystem({ '/etc/hostname': 'kitchen-pi\n' });
  edge = await listenEdge(testConfig({ max_concurrent: 1024 }, { max_request_bytes: MAX_BYTES }), system);
});
afterAll(async () => {
  await edge?.shutdown(100);
});

describe(`edge HTTP fuzz (seed ${seed}, ${COUNT} requests)`, () => {
  it('answers every hostile request with the right status and a well-formed body', async () => {
    const run = await fuzzEdge(createRandom(seed).fork('edge-http'), { port: edge.port, token: TEST_TOKEN, maxBytes: MAX_BYTES, argumentDepth: ARGUMENT_DEPTH, resetOnEarlyReject: true }, COUNT);
    expect(run.failures, `seed ${seed}`).toEqual([]);
    expect(run.sent).toBe(COUNT);
    expect(prototypePollution()).toBe('');
    // Every check was reached: a generator change cannot quietly stop covering one.
    expect(Object.keys(run.statuses)).toEqual(expect.arrayContaining(['200', '202', '400', '401', '403', '404', '405', '406', '413', '415']));
    expect((await rawRequest(edge.port, { method: 'GET', path: '/healthz' })).status).toBe(200);
  }, 120_000);

  it('survives byte-level garbage: malformed framing gets a 4xx from Node or the edge, never a 5xx, and the server lives on', async () => {
    for (const bytes of rawRequests(edge.port, TEST_TOKEN)) {
      const statuses = rawStatuses(await sendRaw(edge.port, bytes));
      // Only bare blank lines (no request at all) may go unanswered.
      if (bytes.trim() !== '') expect(statuses.length, JSON.stringify(bytes.slice(0, 120))).toBeGreaterThan(0);
      expect(statuses.filter((s) => s >= 500), JSON.stringify(bytes.slice(0, 120))).toEqual([]);
    }
    const ping = await rawRequest(edge.port, { headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect([ping.status, JSON.parse(ping.body)]).toEqual([200, { jsonrpc: '2.0', id: 1, result: {} }]);
  });

  // Was a bug (fixed in 888e4d6): arguments nested ~5000 deep overflowed the stack while the audit line was
  // written, answering 500 -32603 with no audit line.
  it('deep nesting in tool arguments is refused as invalid arguments, not a 500, and still audited', async () => {
    const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/etc/hostname","extra":${deepArray(10_000)}}}}`;
    const before = system.auditEntries().length;
    const reply = await rawRequest(edge.port, { headers: MCP_HEADERS, body });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ id: 7, result: { isError: true } });
    expect(system.auditEntries().length).toBe(before + 1);
  });

  // Found by the fuzz runs, now fixed (src/edge/tool-call.ts audit() rendered arguments whole):
  // one call with a 60 KB path (or a 4 MiB one on a device's default limit, or a 20 000-item argv) writes an
  // audit line that size to the journal, refused or not, so a client floods the journal at the body limit
  // per request (seen in the lab run). Fix: cap each string in the audited arguments (e.g. 512 characters +
  // "…(N bytes)") and each array (first 64 items + a count) before rendering the line.
  it('an audit line stays small whatever the size of the arguments', async () => {
    const before = system.logs.length;
    await rawRequest(edge.port, { headers: MCP_HEADERS, body: rpc(8, 'tools/call', { name: 'read_file', arguments: { path: `/${'y'.repeat(60_000)}` } }) });
    const line = system.logs.slice(before).find((l) => l.includes('"edge":"call"'));
    expect(line?.length ?? 0).toBeGreaterThan(0);
    expect(line!.length).toBeLessThan(8192);
  });

  it('a body cut short by the client (half-closed before Content-Length bytes) is not answered as a 5xx', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const head = Object.entries(MCP_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const reply = await sendRaw(edge.port, `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${edge.port}\r\n${head}content-length: ${body.length + 50}\r\n\r\n${body}`);
    expect(rawStatuses(reply)).toEqual([400]);
  });
});
