import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdgeBundle, runBundleOnce, startBundle } from './bundle-helpers.js';
import { MCP_HEADERS, rpc, sseMessages } from './http-helpers.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  ({ dir, bundle } = await buildEdgeBundle());
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function notRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

describe('the edge bundle (dist/edge.mjs as built)', () => {
  it('is one small file without the SDK or zod', () => {
    const text = readFileSync(bundle, 'utf8');
    expect(statSync(bundle).size).toBeLessThan(100_000);
    expect(text).not.toMatch(/zod|ZodError|@modelcontextprotocol/);
  });

  it('exits 1 with one clear stderr line for a missing flag, a missing file, bad JSON and an invalid config', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"name": "x",');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ name: 'Bad Name', listen: { host: '127.0.0.1', port: 0 }, token_sha256: 'x', policy: { timeout_s: -1 } }));
    const results = await Promise.all([
      runBundleOnce(bundle, []),
      runBundleOnce(bundle, ['--config', join(dir, 'missing.json')]),
      runBundleOnce(bundle, ['--config', bad]),
      runBundleOnce(bundle, ['--config', invalid]),
    ]);
    expect(results.map((r) => r.code)).toEqual([1, 1, 1, 1]);
    for (const r of results) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(results[0]!.stderr).toBe('lanmcp-edge: error: usage: node edge.mjs --config /etc/lanmcp-edge/config.json\n');
    expect(results[1]!.stderr).toMatch(/^lanmcp-edge: error E_EDGE_CONFIG: cannot read .*missing\.json \(ENOENT\) \(hint: /);
    expect(results[2]!.stderr).toMatch(/^lanmcp-edge: error E_EDGE_CONFIG: .*bad\.json is not valid JSON/);
    expect(results[3]!.stderr).toContain('name: must match ^[a-z][a-z0-9-]{0,30}$ (got "Bad Name"); listen.port: must be an integer from 1 to 65535 (got 0); token_sha256: must be 64 lowercase hex digits');
  });

  it('exits 1 naming the address when the port is taken', async () => {
    const first = await startBundle(bundle, dir);
    try {
      const config = join(dir, 'clash.json');
      writeFileSync(config, readFileSync(join(dir, `config-${first.port}.json`)));
      const clash = await runBundleOnce(bundle, ['--config', config]);
      expect(clash.code).toBe(1);
      expect(clash.stderr).toMatch(/EADDRINUSE.*127\.0\.0\.1:\d+/);
    } finally {
      first.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM kills running commands\' process groups, finishes their responses and exits 0 within seconds', async () => {
    const edge = await startBundle(bundle, dir);
    const url = `http://127.0.0.1:${edge.port}/mcp`;
    const call = fetch(url, { method: 'POST', headers: MCP_HEADERS, body: rpc(1, 'tools/call', { name: 'run_command', arguments: { command: 'sleep 60 & echo $! > ' + join(dir, 'bg.pid') + '; sleep 60' } }) }).then((r) => r.text());
    let bgPid = 0;
    for (let i = 0; i < 100 && !bgPid; i++) {
      await new Promise((r) => setTimeout(r, 30));
      bgPid = Number(readFileSafe(join(dir, 'bg.pid')));
    }
    expect(bgPid).toBeGreaterThan(0);
    const started = Date.now();
    edge.child.kill('SIGTERM');
    const last = sseMessages(await call).at(-1) as { result: { structuredContent: { cancelled: boolean } } };
    expect(last.result.structuredContent.cancelled).toBe(true);
    expect(await edge.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(notRunning(bgPid)).toBe(true);
    const audit = edge.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit[0]).toMatchObject({ edge: 'start', name: 'bundle-test', version: '0.0.0-bundle-test' });
    expect(audit[1]).toMatchObject({ edge: 'call', tool: 'run_command', decision: 'allowed' });
    expect(edge.stderr()).toBe('lanmcp-edge: SIGTERM, shutting down\n');
  });
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
