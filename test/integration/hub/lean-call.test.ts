import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEdge } from '../../../src/edge/edge.js';
import { createEdgeHttpServer, type EdgeHttpServer } from '../../../src/edge/http.js';
import { allowedHostnames } from '../../../src/edge/http-rules.js';
import type { RunRequest } from '../../../src/edge/system.js';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { UpstreamFailure } from '../../../src/hub/upstreams/errors.js';
import { DEFAULT_TIMING, type UpstreamSpec } from '../../../src/hub/upstreams/types.js';
import { createUpstream, type Upstream } from '../../../src/hub/upstreams/upstream.js';
import { startFakeEdge } from '../../fixtures/hub/fake-edge.js';
import { createFakeSystem, type FakeSystem } from '../../unit/edge/fake-system.js';
import { TEST_TOKEN, testConfig } from '../../unit/edge/test-config.js';
import { EDGE_TOKEN, edgeSpec } from './hub-helpers.js';

// The hub's lean tools/call path (src/hub/upstreams/lean-call.ts) against the real edge HTTP layer over fake
// system probes, plain and TLS, and against the SDK-based fake edge. What a request looked like on the wire
// is read from a tap on the edge's server: bodies received, content types answered, connections opened.

const identity = createEdgeTlsIdentity('kitchen-pi');
const impostor = createEdgeTlsIdentity('kitchen-pi');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Tapped {
  http: EdgeHttpServer;
  port: number;
  system: FakeSystem;
  /** JSON bodies POSTed to /mcp, in arrival order. */
  bodies: Record<string, unknown>[];
  /** Content type of each /mcp answer once finished. */
  answered: string[];
  connections: number;
}

async function edge(options: { tls?: typeof identity; port?: number; progressMs?: number; maxBytes?: number } = {}): Promise<Tapped> {
  const config = testConfig({}, { progress_interval_ms: options.progressMs ?? 20, ...(options.maxBytes ? { max_request_bytes: options.maxBytes } : {}) });
  const system = createFakeSystem();
  const http = createEdgeHttpServer(createEdge(config, system), config, {
    allowedHosts: allowedHostnames(config, 'kitchen-pi', []), version: '9.9.9-test',
    ...(options.tls ? { tls: { key: options.tls.keyPem, cert: options.tls.certPem } } : {}),
  });
  const tapped: Tapped = { http, port: 0, system, bodies: [], answered: [], connections: 0 };
  // The edge reads the body in the same tick it gets the request, so a second reader here sees it all too.
  http.server.prependListener('request', (req: IncomingMessage, res) => {
    if (req.url !== '/mcp') return;
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => { try { tapped.bodies.push(JSON.parse(text) as Record<string, unknown>); } catch { /* not JSON */ } });
    // The edge passes its headers to writeHead, where getHeader cannot see them.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a): a is Record<string, string> => typeof a === 'object' && a !== null);
      tapped.answered.push(String(headers?.['content-type']));
      return writeHead(...args);
    }) as typeof res.writeHead;
  });
  http.server.on(options.tls ? 'secureConnection' : 'connection', (_socket: Socket) => { tapped.connections += 1; });
  await new Promise<void>((resolve) => http.server.listen(options.port ?? 0, '127.0.0.1', resolve));
  tapped.port = (http.server.address() as AddressInfo).port;
  cleanup.push(() => http.shutdown(100));
  return tapped;
}

function upstreamTo(port: number, overrides: Partial<UpstreamSpec> = {}): Upstream {
  const scheme = overrides.pin ? 'https' : 'http';
  const spec: UpstreamSpec = {
    name: 'kitchen-pi', kind: 'edge', url: `${scheme}://127.0.0.1:${port}/mcp`, healthUrl: `${scheme}://127.0.0.1:${port}/healthz`,
    headers: { authorization: `Bearer ${TEST_TOKEN}` }, maxConcurrent: 4, callTimeoutMs: 10_000, tags: [], groups: [], enabledTools: ['run_command', 'system_info'],
    ...overrides,
  };
  const u = createUpstream(spec, { ...DEFAULT_TIMING, healthIntervalMs: 60_000, backoffInitialMs: 50, backoffMaxMs: 200, downWaitMs: 500 });
  cleanup.push(() => u.close());
  return u;
}

const runUntilAborted = (r: RunRequest) =>
  new Promise<{ exitCode: null; signal: string }>((resolve) => r.signal.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM' }), { once: true }));

const failureOf = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected the call to fail'); }, (e: unknown) => e as UpstreamFailure);

/** Drops the time-dependent fields an edge fills per call, so two answers to the same call compare equal. */
function stable(result: unknown): unknown {
  return JSON.parse(JSON.stringify(result), (key, value: unknown) => (key === 'duration_ms' || key === 'generated_at' || key === 'uptime_s' ? 0 : value));
}

describe('lean hub → edge call path, real edge', () => {
  it('a JSON answer (no progress asked) and an SSE answer (run_command) give the same CallToolResult as the SDK client', async () => {
    const e = await edge();
    const u = upstreamTo(e.port);
    await u.start();
    const viaSdk = await u.request((client) => client.callTool({ name: 'system_info', arguments: {} }, CallToolResultSchema), {});
    const jsonAnswer = await u.callTool('system_info', {}, {});
    expect(e.answered.at(-1)).toBe('application/json');
    expect(stable(jsonAnswer)).toEqual(stable(viaSdk));
    expect(jsonAnswer.structuredContent).toMatchObject({ hostname: 'kitchen-pi' });

    const sdkRun = await u.request((client) => client.callTool({ name: 'run_command', arguments: { argv: ['echo', 'hi'] } }, CallToolResultSchema), {});
    const leanRun = await u.callTool('run_command', { argv: ['echo', 'hi'] }, {});
    expect(e.answered.at(-1)).toBe('text/event-stream');
    expect(stable(leanRun)).toEqual(stable(sdkRun));
    expect(leanRun.structuredContent).toMatchObject({ exit_code: 0, stdout: 'echo hi\n' });
    // What went on the wire: a tools/call with the edge's own method and headers, no progress token unasked.
    expect(e.bodies.at(-1)).toMatchObject({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'run_command', arguments: { argv: ['echo', 'hi'] } } });
    expect((e.bodies.at(-1)!.params as { _meta?: unknown })._meta).toBeUndefined();
  });

  it('calls reuse one keep-alive connection; each call has its own id', async () => {
    const e = await edge();
    const u = upstreamTo(e.port);
    await u.start();
    await u.callTool('run_command', { argv: ['true'] }, {});
    const before = e.connections;
    for (let i = 0; i < 5; i++) await u.callTool('run_command', { argv: ['true'] }, {});
    expect(e.connections).toBe(before);
    const ids = e.bodies.filter((b) => b.method === 'tools/call').map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('progress from the edge reaches onprogress in order, and restarts the per-call timeout', async () => {
    const e = await edge({ progressMs: 20 });
    const u = upstreamTo(e.port, { callTimeoutMs: 300 });
    await u.start();
    e.system.onRun = () => new Promise((resolve) => setTimeout(() => resolve({ stdout: 'upgraded' }), 700));
    const progress: { progress: number; message?: string }[] = [];
    const result = await u.callTool('run_command', { argv: ['apt-get', 'upgrade'] }, { onprogress: (p) => progress.push(p) });
    expect(result.structuredContent).toMatchObject({ stdout: 'upgraded' });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect(progress[0]).not.toHaveProperty('progressToken');
    const sent = e.bodies.find((b) => b.method === 'tools/call')!;
    expect((sent.params as { _meta: { progressToken: unknown } })._meta.progressToken).toBe(sent.id);
  });

  it('a cancel ends the call at once, sends notifications/cancelled for its id, aborts the run on the edge; the edge stays up', async () => {
    const e = await edge();
    const u = upstreamTo(e.port);
    await u.start();
    e.system.onRun = runUntilAborted;
    const controller = new AbortController();
    const pending = failureOf(u.callTool('run_command', { argv: ['sleep', '60'] }, { signal: controller.signal }));
    await vi.waitFor(() => expect(e.system.runs).toHaveLength(1));
    controller.abort('user pressed stop');
    const failure = await pending;
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect([failure.kind, failure.message]).toEqual(['cancelled', 'kitchen-pi: cancelled by the client']);
    await vi.waitFor(() => expect(e.system.runs[0]!.signal.aborted).toBe(true));
    expect(String(e.system.runs[0]!.signal.reason)).toBe('cancelled: user pressed stop');
    const call = e.bodies.find((b) => b.method === 'tools/call')!;
    expect(e.bodies.find((b) => b.method === 'notifications/cancelled')).toMatchObject({ params: { requestId: call.id, reason: 'user pressed stop' } });
    expect(u.status().status).toBe('up');
    e.system.onRun = () => ({ stdout: 'next\n' });
    expect((await u.callTool('run_command', { argv: ['next'] }, {})).structuredContent).toMatchObject({ stdout: 'next\n' });
  });

  it('a silent edge times out naming the device; the edge is told to stop the call', async () => {
    const e = await edge({ progressMs: 60_000 });
    const u = upstreamTo(e.port, { callTimeoutMs: 300 });
    await u.start();
    e.system.onRun = runUntilAborted;
    const failure = await failureOf(u.callTool('run_command', { argv: ['sleep', '60'] }, {}));
    expect([failure.kind, failure.message]).toEqual(['timeout', 'kitchen-pi: no answer within 300 ms (the call may still run on the device)']);
    await vi.waitFor(() => expect(e.system.runs[0]!.signal.aborted).toBe(true));
    expect(String(e.system.runs[0]!.signal.reason)).toBe("cancelled: the hub's 300 ms timeout");
    expect(u.status().status).toBe('up');
  });

  it('a wrong token: auth failure (HTTP 401), the edge is not marked down', async () => {
    const e = await edge();
    const u = upstreamTo(e.port, { headers: { authorization: 'Bearer wrong' } });
    await u.start();
    const failure = await failureOf(u.callTool('run_command', { argv: ['true'] }, {}));
    expect([failure.kind, failure.message]).toEqual(['auth', "kitchen-pi: refused the hub's credentials (HTTP 401)"]);
    expect(u.status().status).toBe('up');
  });

  it('a request the edge refuses (413) names the status and the edge\'s message; the edge stays up', async () => {
    const e = await edge({ maxBytes: 4096 });
    const u = upstreamTo(e.port);
    await u.start();
    const failure = await failureOf(u.callTool('run_command', { argv: ['x'.repeat(10_000)] }, {}));
    expect(failure.kind).toBe('protocol');
    expect(failure.reason).toMatch(/^answered HTTP 413: Payload Too Large: the limit is \d+ bytes$/);
    expect(u.status().status).toBe('up');
  });

  it('an edge that went away: down at once, the reason names the cause (ECONNREFUSED)', async () => {
    const e = await edge();
    const u = upstreamTo(e.port);
    await u.start();
    await u.callTool('run_command', { argv: ['true'] }, {});
    await e.http.shutdown(100);
    e.http.server.closeAllConnections();
    const failure = await failureOf(u.callTool('run_command', { argv: ['true'] }, {}));
    expect(failure.kind).toBe('down');
    expect(failure.reason).toMatch(/^connection lost during the call \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(u.status()).toMatchObject({ status: 'down', error: failure.reason });
  });

  it('an edge that dies mid-call: the call ends at once as down, not at the timeout', async () => {
    const e = await edge();
    const u = upstreamTo(e.port, { callTimeoutMs: 30_000 });
    await u.start();
    e.system.onRun = () => new Promise(() => {});
    const pending = failureOf(u.callTool('run_command', { argv: ['sleep', '60'] }, {}));
    await vi.waitFor(() => expect(e.system.runs).toHaveLength(1));
    e.http.server.closeAllConnections();
    const failure = await pending;
    expect(failure.kind).toBe('down');
    expect(failure.reason).toMatch(/^connection lost during the call \(/);
  });

  it('the concurrency limit holds: calls over maxConcurrent queue', async () => {
    const e = await edge();
    const u = upstreamTo(e.port, { maxConcurrent: 1 });
    await u.start();
    const releases: (() => void)[] = [];
    e.system.onRun = () => new Promise((resolve) => releases.push(() => resolve({ stdout: 'done' })));
    const first = u.callTool('run_command', { argv: ['a'] }, {});
    const second = u.callTool('run_command', { argv: ['b'] }, {});
    await vi.waitFor(() => expect(e.system.runs).toHaveLength(1));
    expect(u.status()).toMatchObject({ in_flight: 1, queued: 1 });
    releases[0]!();
    await first;
    await vi.waitFor(() => expect(e.system.runs).toHaveLength(2));
    releases[1]!();
    await second;
    expect(u.status()).toMatchObject({ in_flight: 0, queued: 0 });
  });
});

describe('lean call path over pinned TLS', () => {
  it('with the right pin: calls work over HTTPS', async () => {
    const e = await edge({ tls: identity });
    const u = upstreamTo(e.port, { pin: identity.spkiSha256 });
    await u.start();
    expect((await u.callTool('run_command', { argv: ['uname'] }, {})).structuredContent).toMatchObject({ stdout: 'uname\n' });
  });

  it('a key that changes between calls: the next call fails naming the pin mismatch, and the edge is down', async () => {
    const first = await edge({ tls: identity });
    const u = upstreamTo(first.port, { pin: identity.spkiSha256 });
    await u.start();
    await u.callTool('run_command', { argv: ['true'] }, {});
    await first.http.shutdown(100);
    first.http.server.closeAllConnections();
    const second = await edge({ tls: impostor, port: first.port });
    const failure = await failureOf(u.callTool('run_command', { argv: ['true'] }, {}));
    expect(failure.kind).toBe('down');
    expect(failure.reason).toContain(`TLS pin mismatch at 127.0.0.1:${first.port}`);
    expect(u.status()).toMatchObject({ status: 'down', error: expect.stringContaining('TLS pin mismatch') });
    // Not one request reached the impostor: the token is never sent to a key that is not pinned.
    expect(second.bodies).toHaveLength(0);
  });
});

describe('lean call path, SDK-based fake edge (always SSE)', () => {
  it('progress, results and a cancel that reaches the running call', async () => {
    const fake = await startFakeEdge('alpha', EDGE_TOKEN);
    cleanup.push(() => fake.stop());
    const u = createUpstream(edgeSpec(fake), { ...DEFAULT_TIMING, healthIntervalMs: 60_000 });
    cleanup.push(() => u.close());
    await u.start();
    const progress: number[] = [];
    const result = await u.callTool('run_command', { command: 'sleep:200' }, { onprogress: (p) => progress.push(p.progress) });
    expect(result.structuredContent).toMatchObject({ stdout: 'slept 200 ms on alpha' });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const controller = new AbortController();
    const pending = failureOf(u.callTool('run_command', { command: 'sleep:5000' }, { signal: controller.signal }));
    await vi.waitFor(() => expect(fake.calls).toHaveLength(2));
    controller.abort('stop');
    expect((await pending).kind).toBe('cancelled');
    await vi.waitFor(() => expect(fake.calls[1]!.ended).toBe('cancelled'));
  });
});
