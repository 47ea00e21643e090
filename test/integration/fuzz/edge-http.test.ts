import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSystem, type FakeSystem } from '../../unit/edge/fake-system.js';
import { TEST_TOKEN, testConfig } from '../../unit/edge/test-config.js';
import { listenEdge, MCP_HEADERS, rawRequest, type Listening } from '../edge/http-helpers.js';
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
/**
 * Nesting inside tool arguments is kept under the depth at which the edge's audit line overflows the
 * stack (bug: see 'deep nesting in tool arguments' below); deeper input is that test's job.
 */
const SAFE_ARGUMENT_DEPTH = 500;
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
    const run = await fuzzEdge(createRandom(seed).fork('edge-http'), { port: edge.port, token: TEST_TOKEN, maxBytes: MAX_BYTES, argumentDepth: SAFE_ARGUMENT_DEPTH }, COUNT);
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

  // BUG (src/edge/tool-call.ts audit → renderAuditLine's JSON.stringify, src/edge/audit.ts): arguments
  // nested ~5000 deep (10 KB of `[`) overflow the stack while writing the audit line. The edge answers
  // 500 -32603 "internal error: Maximum call stack size exceeded" (SSE calls end with no answer at all) and
  // writes NO audit line for the call. Fix: bound the depth before auditing (e.g. checkSchema refusing
  // nesting deeper than the schema allows, and the audit line rendering arguments through a depth-capped
  // replacer that writes "[too deep]"), so the reply is the usual isError refusal and the audit line exists.
  it.fails('deep nesting in tool arguments is refused as invalid arguments, not a 500, and still audited', async () => {
    const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/etc/hostname","extra":${deepArray(10_000)}}}}`;
    const before = system.auditEntries().length;
    const reply = await rawRequest(edge.port, { headers: MCP_HEADERS, body });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ id: 7, result: { isError: true } });
    expect(system.auditEntries().length).toBe(before + 1);
  });

  it('a body cut short by the client (half-closed before Content-Length bytes) is not answered as a 5xx', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const head = Object.entries(MCP_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const reply = await sendRaw(edge.port, `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${edge.port}\r\n${head}content-length: ${body.length + 50}\r\n\r\n${body}`);
    expect(rawStatuses(reply)).toEqual([400]);
  });
});
