import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { edgeSpec } from '../hub/hub-helpers.js';
import { deepArray } from './hostile-values.js';
import { sendUnparsableThenKeepWriting } from '../../support/unparsable-request.js';
import { createFuzzAgent, send } from './http-send.js';
import { listenHub, startFuzzHub, type FuzzHub, type ListeningHub, type RecordingUpstream } from './hub-fixtures.js';

// Hub bugs the fuzz runs in hub.test.ts found, each pinned by a deterministic test. `it.fails` marks the
// ones still open (none now): when one is fixed its test starts passing, vitest reports it, and `.fails` goes.
let fuzz: FuzzHub;
let edge: FakeEdge;
let upstream: RecordingUpstream;
let hub: ListeningHub;
beforeAll(async () => {
  fuzz = await startFuzzHub(1000);
  ({ edge, upstream, hub } = fuzz);
}, 30_000);
afterAll(() => fuzz?.stop());

describe('hub findings of the fuzz runs', () => {
  // Found by the fuzz runs, now fixed (minor, src/hub/app.ts buildHub: Fastify's default clientErrorHandler): a request head over Node's
  // 16 KiB limit gets `431` WITHOUT `Connection: close`, then the socket is destroyed; a keep-alive client
  // (undici in the SDK, Node's Agent) reuses the dead socket and its NEXT request fails with "socket hang up".
  // Node's own handler (the edge) sends `Connection: close`. Fix: Fastify({ clientErrorHandler }) writing
  // `HTTP/1.1 431 …\r\nConnection: close\r\n…` (same for 400), as node:http does.
  it('after a 431 for an oversized head, the next request on the same keep-alive connection is answered', async () => {
    const agent = createFuzzAgent();
    const headers = { host: `127.0.0.1:${hub.port}`, authorization: `Bearer ${hub.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const big = await send(hub.port, agent, { method: 'POST', path: '/mcp/stateless', headers: { ...headers, 'x-filler': 'f'.repeat(20_000) }, body: ping });
    const next = await send(hub.port, agent, { method: 'POST', path: '/mcp/stateless', headers, body: ping });
    agent.destroy();
    expect([big.status, next.status]).toEqual([431, 200]);
  });

  // Found by the lab fuzz run of the edge, which shares the fix (src/shared/http-client-error.ts): after
  // that 431 the socket was destroyed while the client still sent its body, so over a real network the
  // client met a reset instead of the 431. The hub now reads and drops the rest (bounded), then closes.
  it('after a 431, a client still sending its body meets no reset', async () => {
    const outcome = await sendUnparsableThenKeepWriting(hub.port, { fillerBytes: 20_000, afterAnswer: 32 * 1024 });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 431 [^]*Connection: close/);
    expect(outcome.error).toBe('');
  });

  // Found by the fuzz runs, now fixed (src/hub/sessions.ts create(), with src/hub/session-transport.ts close()): beyond `sessions.max` the
  // least recently used session is closed even while one of its calls is running (lastSeen is only the
  // time of its last request, so a long call makes its session "old"). Closing it never ends that call's
  // HTTP response: the client waits until its own timeout (60 s for the SDK) for an answer that never
  // comes. A DELETE of the session does the same to its running calls. Found by the fuzzer (seed 12: a
  // resources/list still running when a fuzzed DELETE closed its session; 30 s without an answer).
  // Fix: evict the least recently used session that is not busy (`!transport.busy`, as sweep() does), and
  // when a busy one must go, answer its open requests with a JSON-RPC error before closing.
  it('a session evicted by the session cap while a call runs still answers that call', async () => {
    const small = await listenHub([edgeSpec(edge)], 2);
    try {
      const headers = { host: `127.0.0.1:${small.port}`, authorization: `Bearer ${small.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
      const init = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });
      const open = async () => (await send(small.port, false, { method: 'POST', path: '/mcp', headers, body: init })).headers['mcp-session-id'] as string;
      const busy = await open();
      const call = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'run_command', arguments: { host: 'kitchen', command: 'silent:2000' } } });
      const slow = send(small.port, false, { method: 'POST', path: '/mcp', headers: { ...headers, 'mcp-session-id': busy }, body: call }, 5000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await open();
      await open();
      const reply = await slow;
      expect(reply.status, reply.body).not.toBe(0);
    } finally {
      await small.close();
    }
  });

  // Found by the fuzz runs, now fixed (src/hub/audit.ts redactArgs/redactValue, called from src/hub/tools/dispatch.ts dispatchToolCall
  // AFTER the call ran): redaction recurses without a depth bound and overflows the stack sooner than
  // JSON.stringify does. Arguments nested ~2750–4000 deep are serialized by the hub's SDK client and RUN on
  // a `kind: mcp` upstream, then redactArgs throws: no audit line at all for a call that executed, and the
  // client gets -32603. Fix: redact iteratively or with a depth cap ("[too deep]" past e.g. 64 levels), and
  // never let the audit write throw (catch and write the line without args, as the edge now does).
  it('a call forwarded to an upstream is audited at every argument depth the hub can serialize', async () => {
    const headers = { host: `127.0.0.1:${hub.port}`, authorization: `Bearer ${hub.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const unaudited: number[] = [];
    for (let depth = 2000; depth <= 6000; depth += 250) {
      const marker = `depth-${depth}`;
      const body = `{"jsonrpc":"2.0","id":${depth},"method":"tools/call","params":{"name":"ha_echo","arguments":{"marker":"${marker}","nested":${deepArray(depth)}}}}`;
      const reply = await send(hub.port, false, { method: 'POST', path: '/mcp/stateless', headers, body }, 30_000);
      expect(reply.status, reply.body.slice(0, 200)).toBe(200);
      await hub.app.hub.runtime.audit.flush();
      const reached = upstream.calls.some((args) => (args as { marker?: string }).marker === marker);
      const audited = hub.auditLines().some((line) => (line.args as { marker?: string } | undefined)?.marker === marker);
      if (reached && !audited) unaudited.push(depth);
    }
    expect(unaudited, 'depths whose call reached the upstream without an audit line').toEqual([]);
  }, 60_000);
});
