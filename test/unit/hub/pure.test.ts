import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, fingerprintText, redactArgs, redactText } from '../../../src/hub/audit.js';
import { checkHostAndOrigin, planAllowedHosts } from '../../../src/hub/http-guard.js';
import { createMetrics, renderMetrics } from '../../../src/hub/metrics.js';
import { createRateLimiter } from '../../../src/hub/rate-limit.js';
import { planCatalog } from '../../../src/hub/tools/catalog.js';
import { classifyUpstreamError } from '../../../src/hub/upstreams/errors.js';
import { backoffDelay, createLimiter } from '../../../src/hub/upstreams/limiter.js';
import { planEdgeSpec, planMcpSpec } from '../../../src/hub/upstreams/specs.js';
import type { UpstreamSpec } from '../../../src/hub/upstreams/types.js';
import type { EdgeDevice, McpDevice } from '../../../src/inventory/types.js';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';

const spec = (name: string, kind: 'edge' | 'mcp', extra: Partial<UpstreamSpec> = {}): UpstreamSpec => ({
  name, kind, url: `http://${name}/mcp`, headers: {}, maxConcurrent: 4, callTimeoutMs: 1000, tags: [], groups: [],
  enabledTools: kind === 'edge' ? ['run_command', 'system_info'] : [], ...extra,
});

describe('tool catalog', () => {
  it('is the same nine tools for 2 or 200 edges; host is an enum of the edge names', () => {
    const small = planCatalog({ specs: [spec('a', 'edge'), spec('b', 'edge')], upstreamTools: new Map(), perDeviceTools: false });
    const big = planCatalog({ specs: Array.from({ length: 200 }, (_, i) => spec(`d${i}`, 'edge')), upstreamTools: new Map(), perDeviceTools: false });
    expect(small.tools.map((t) => t.name)).toEqual(['network_resources', 'run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs', 'run_on_many']);
    expect(big.tools.map((t) => t.name)).toEqual(small.tools.map((t) => t.name));
    const run = small.tools.find((t) => t.name === 'run_command')!;
    expect(run.inputSchema.properties!.host).toMatchObject({ type: 'string', enum: ['a', 'b'] });
    expect(run.inputSchema.required).toContain('host');
    expect(run.description).not.toMatch(/this device/);
    expect(run.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(small.tools.find((t) => t.name === 'read_file')!.annotations).toMatchObject({ readOnlyHint: true });
    for (const tool of small.tools) expect(tool.description, tool.name).toBeTruthy();
  });

  it('re-exposes kind: mcp tools as <host>_<tool> and skips invalid or colliding names with a reason', () => {
    const tools = new Map([
      ['ha', [{ name: 'HassTurnOn', description: 'Turn on', inputSchema: { type: 'object' as const } }, { name: 'bad.name', inputSchema: { type: 'object' as const } }]],
      ['run', [{ name: 'command', description: 'collides', inputSchema: { type: 'object' as const } }]],
    ]);
    const catalog = planCatalog({ specs: [spec('pi', 'edge'), spec('ha', 'mcp'), spec('run', 'mcp')], upstreamTools: tools, perDeviceTools: false });
    expect(catalog.routes.get('ha_HassTurnOn')).toEqual({ kind: 'upstream', device: 'ha', tool: 'HassTurnOn' });
    expect(catalog.tools.find((t) => t.name === 'ha_HassTurnOn')!.description).toBe('[ha] Turn on');
    expect(catalog.routes.get('run_command')).toEqual({ kind: 'edge', tool: 'run_command' });
    expect(catalog.skipped).toEqual([
      { device: 'ha', tool: 'bad.name', reason: expect.stringMatching(/not a valid MCP tool name/) },
      { device: 'run', tool: 'command', reason: expect.stringMatching(/collides/) },
    ]);
  });

  it('adds <device>_admin per edge only when asked; passthrough mode lists the upstream alone, names unchanged', () => {
    const admin = planCatalog({ specs: [spec('pi', 'edge')], upstreamTools: new Map(), perDeviceTools: true });
    expect(admin.routes.get('pi_admin')).toEqual({ kind: 'admin', device: 'pi' });
    const pass = planCatalog({ specs: [spec('fx', 'mcp')], upstreamTools: new Map([['fx', [{ name: 'test_simple_text', inputSchema: { type: 'object' as const } }]]]), perDeviceTools: false, passthrough: 'fx' });
    expect(pass.tools.map((t) => t.name)).toEqual(['test_simple_text']);
  });
});

describe('Host/Origin guard', () => {
  const allowed = planAllowedHosts('0.0.0.0', 'https://lan.example.com/mcp', ['10.0.0.2']);
  it('allows loopback names, the public URL host and extras, with any port', () => {
    expect(allowed).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', 'lan.example.com', '10.0.0.2']));
    expect(allowed).not.toContain('0.0.0.0');
    expect(checkHostAndOrigin('localhost:8765', undefined, allowed)).toBeUndefined();
    expect(checkHostAndOrigin('[::1]:8765', 'http://[::1]:8765', allowed)).toBeUndefined();
    expect(checkHostAndOrigin('lan.example.com', 'https://lan.example.com', allowed)).toBeUndefined();
  });
  it('refuses a foreign Host, a foreign Origin, a garbage Origin and a missing Host', () => {
    expect(checkHostAndOrigin('evil.com', undefined, allowed)).toMatch(/Host "evil.com"/);
    expect(checkHostAndOrigin('localhost', 'http://evil.com', allowed)).toMatch(/Origin/);
    expect(checkHostAndOrigin('localhost', 'null', allowed)).toMatch(/not a URL/);
    expect(checkHostAndOrigin(undefined, undefined, allowed)).toMatch(/missing Host/);
  });
});

describe('audit redaction', () => {
  it('replaces env values, stdin and write_file content, tokens and secret-named keys', () => {
    const args = { host: 'pi', command: 'curl -H "Authorization: Bearer abcdefgh12345" x', env: { API_KEY: 'hunter2' }, stdin: 'secret input', password: 'p' };
    const out = redactArgs('run_command', args);
    expect(out.env).toEqual({ API_KEY: '[redacted]' });
    expect(out.stdin).toEqual(fingerprintText('secret input'));
    expect(out.password).toBe('[redacted]');
    expect(JSON.stringify(out)).not.toMatch(/hunter2|secret input|abcdefgh12345/);
    expect(redactArgs('write_file', { path: '/etc/x', content: 'data' }).content).toEqual({ bytes: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(redactText('token lmc_AAAAAAAAAAAAAAAAAAAAAAAAAAAA and lme_BBBBBBBBBBBBBBBBBBBBBBBB')).toBe('token [redacted] and [redacted]');
  });
});

describe('audit file', () => {
  it('appends one JSON line per entry to a 0600 file in a folder it creates; flush waits for the disk', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lanmcp-audit-')), 'logs', 'audit.jsonl');
    const log = createAuditLog(file);
    const entry = { time: 't', token: 'laptop', tool: 'run_command', devices: ['pi'], args: {}, outcome: 'ok' as const, duration_ms: 1 };
    log.write(entry);
    log.write({ ...entry, outcome: 'error', error: 'boom' });
    await log.flush();
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).outcome)).toEqual(['ok', 'error']);
    await log.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('audit file: deferred entries', () => {
  it('record builds the entry after this turn, in order with write; a builder that throws is reported and loses only its own line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lanmcp-audit-')), 'audit.jsonl');
    const errors: unknown[] = [];
    const log = createAuditLog(file, (error) => errors.push(error));
    const entry = { time: 't', token: 'laptop', tool: 'run_command', devices: ['pi'], args: {}, outcome: 'ok' as const, duration_ms: 1 };
    let built = 0;
    log.record(() => { built += 1; return { ...entry, tool: 'first' }; });
    log.record(() => { throw new Error('broken builder'); });
    log.record(() => ({ ...entry, tool: 'second' }));
    expect(built).toBe(0);
    // write drains what was recorded before it, so the file keeps the order of the calls.
    log.write({ ...entry, tool: 'third' });
    expect(built).toBe(1);
    log.record(() => ({ ...entry, tool: 'fourth' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).tool)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(errors).toEqual([expect.objectContaining({ message: 'broken builder' })]);
    log.record(() => ({ ...entry, tool: 'fifth' }));
    await log.flush();
    expect(readFileSync(file, 'utf8').trim().split('\n').at(-1)).toContain('"fifth"');
    await log.close();
  });
});

describe('limits and backoff', () => {
  it('rate limiter: burst, then one per refill interval, per key', () => {
    let t = 0;
    const limiter = createRateLimiter({ burst: 2, perSecond: 1 }, () => t);
    expect([limiter.take('a').ok, limiter.take('a').ok, limiter.take('a').ok]).toEqual([true, true, false]);
    expect(limiter.take('b').ok).toBe(true);
    t = 1000;
    expect(limiter.take('a').ok).toBe(true);
  });

  it('concurrency limiter queues beyond the limit and drops a waiter whose caller aborts', async () => {
    const limiter = createLimiter(1);
    const first = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const third = limiter.acquire();
    expect(limiter.queued).toBe(2);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    first();
    const release = await third;
    expect(limiter.running).toBe(1);
    release();
    release();
    expect(limiter.running).toBe(0);
  });

  it('concurrency limiter: tryAcquire takes a free slot at once, never a full one or for a caller who gave up', () => {
    const limiter = createLimiter(1);
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    expect(limiter.tryAcquire(controller.signal)).toBeUndefined();
    const release = limiter.tryAcquire()!;
    expect([limiter.running, limiter.tryAcquire()]).toEqual([1, undefined]);
    release();
    release();
    expect(limiter.running).toBe(0);
  });

  it('backoff doubles up to its cap and never stops', () => {
    expect([0, 1, 2, 3, 10, 1000].map((n) => backoffDelay(n, 250, 10_000))).toEqual([250, 500, 1000, 2000, 10_000, 10_000]);
  });
});

describe('upstream specs and errors', () => {
  const edge = { kind: 'edge', name: 'pi', address: 'fe80::1', tags: ['x'], groups: [], state: 'present', edge: { port: 8766, tls: false, policy: { timeout_s: 60, max_concurrent: 8, tools: ['run_command'] } } } as unknown as EdgeDevice;
  it('edge: its own token, IPv6 bracketed, timeout = policy + margin; no token = down with a hint', () => {
    const s = planEdgeSpec(edge, { token: 'lme_tok' });
    expect(s).toMatchObject({ url: 'http://[fe80::1]:8766/mcp', healthUrl: 'http://[fe80::1]:8766/healthz', headers: { authorization: 'Bearer lme_tok' }, callTimeoutMs: 70_000, maxConcurrent: 8 });
    expect(planEdgeSpec(edge, {}).missingCredential).toMatch(/lanmcp apply/);
  });
  it('kind: mcp: bearer and extra headers from the environment; a missing variable is named', () => {
    const ha = { kind: 'mcp', name: 'ha', url: 'http://ha:8123/api/mcp', tags: [], groups: [], state: 'present', auth: { bearer_env: 'HA_TOKEN' }, headers_env: { 'X-Api-Key': 'HA_KEY' } } as unknown as McpDevice;
    expect(planMcpSpec(ha, { HA_TOKEN: 't', HA_KEY: 'k' }).headers).toEqual({ authorization: 'Bearer t', 'x-api-key': 'k' });
    expect(planMcpSpec(ha, { HA_TOKEN: 't' }).missingCredential).toMatch(/HA_KEY is not set/);
  });
  it('classifies failures: refused connection = down, timeout, protocol answer, 401', () => {
    expect(classifyUpstreamError('pi', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.2:8766' } }), 1000))
      .toMatchObject({ kind: 'down', reason: 'connect ECONNREFUSED 10.0.0.2:8766' });
    expect(classifyUpstreamError('pi', new McpError(ErrorCode.RequestTimeout, 'Request timed out'), 70_000)).toMatchObject({ kind: 'timeout', reason: expect.stringMatching(/70 s/) });
    expect(classifyUpstreamError('pi', new McpError(ErrorCode.InvalidParams, 'bad'), 1000)).toMatchObject({ kind: 'protocol', mcpCode: ErrorCode.InvalidParams });
    expect(classifyUpstreamError('pi', Object.assign(new Error('Streamable HTTP error: 401'), { code: 401 }), 1000)).toMatchObject({ kind: 'auth' });
  });
});

describe('metrics text', () => {
  it('renders counters, a cumulative histogram and upstream gauges with escaped labels', () => {
    const text = renderMetrics([{ tool: 'run_command', device: 'p"i', calls: 2, errors: 1, sumS: 0.3, buckets: [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0] }], 1, 3, [{ name: 'pi', kind: 'edge', up: false }, { name: 'ha', kind: 'mcp', up: true, latencyMs: 12 }]);
    expect(text).toContain('lanmcp_hub_call_duration_seconds_bucket{tool="run_command",device="p\\"i",le="0.05"} 0');
    expect(text).toContain('lanmcp_hub_call_duration_seconds_bucket{tool="run_command",device="p\\"i",le="0.1"} 1');
    expect(text).toContain('lanmcp_hub_call_duration_seconds_bucket{tool="run_command",device="p\\"i",le="300"} 2');
    expect(text).toContain('lanmcp_hub_calls_total{tool="run_command",device="p\\"i"} 2');
    expect(text).toContain('lanmcp_hub_call_errors_total{tool="run_command",device="p\\"i"} 1');
    expect(text).toContain('lanmcp_hub_call_duration_seconds_bucket{tool="run_command",device="p\\"i",le="+Inf"} 2');
    expect(text).toContain('lanmcp_hub_upstream_up{device="pi",kind="edge"} 0');
    expect(text).toContain('lanmcp_hub_upstream_latency_seconds{device="ha",kind="mcp"} 0.012');
    expect(text).toContain('lanmcp_hub_sessions 3');
  });

  it('recordCall counts each call once per series; the rendered buckets are cumulative, a call past the last only in +Inf', () => {
    const metrics = createMetrics();
    for (const ms of [3, 5, 200, 400_000]) metrics.recordCall('read_file', 'pi', ms === 200 ? 'error' : 'ok', ms);
    const text = metrics.render([], 0);
    const bucket = (le: string) => Number(new RegExp(`_bucket\\{tool="read_file",device="pi",le="${le.replace('+', '\\+')}"\\} (\\d+)`).exec(text)?.[1]);
    expect(['0.005', '0.01', '0.1', '0.25', '300', '+Inf'].map(bucket)).toEqual([2, 2, 2, 3, 3, 4]);
    expect(text).toContain('lanmcp_hub_call_errors_total{tool="read_file",device="pi"} 1');
    expect(text).toContain('lanmcp_hub_call_duration_seconds_count{tool="read_file",device="pi"} 4');
  });
});
