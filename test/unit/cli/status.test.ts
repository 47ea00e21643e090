import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../../src/cli/commands/status.js';
import { allUp, renderStatusTable, statusFromHubDevice, type StatusRow } from '../../../src/cli/views/status-view.js';
import { loadHubOptions, startHub, type RunningHub } from '../../../src/hub/start.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN } from '../../integration/hub/hub-helpers.js';
import { runLanmcp } from '../../support/cli.js';
import { freePort } from '../../support/ports.js';

const run = (argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runLanmcp(argv, { cwd, env, commands: [statusCommand] });


// Two fake edges told apart by address (127.0.0.1 vs localhost: the inventory refuses duplicate addresses),
// and a third device whose port is closed.
let a: FakeEdge;
let b: FakeEdge;
let dead: number;
let hubPort: number;

function writeProject(tokens: Record<string, string>, hubListen = `127.0.0.1:${hubPort}`, hubTls = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-status-'));
  writeFileSync(join(dir, 'inventory.yaml'), [
    'version: 1',
    'defaults: { edge: { tls: false } }',
    `hub: { listen: "${hubListen}"${hubTls} }`,
    'hosts:',
    `  a: { address: 127.0.0.1, edge: { port: ${a.port} }, tags: [web] }`,
    `  b: { address: localhost, edge: { port: ${b.port} }, tags: [web] }`,
    `  c: { address: 127.0.0.3, edge: { port: ${dead} } }`,
    '  gone: { address: 127.0.0.4, state: absent }',
    '',
  ].join('\n'));
  mkdirSync(join(dir, '.lanmcp', 'tokens'), { recursive: true });
  for (const [name, token] of Object.entries(tokens)) writeFileSync(join(dir, '.lanmcp', 'tokens', `${name}.token`), `${token}\n`);
  return dir;
}

beforeAll(async () => {
  a = await startFakeEdge('a', EDGE_TOKEN);
  b = await startFakeEdge('b', EDGE_TOKEN);
  dead = await freePort();
  hubPort = await freePort();
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

describe('lanmcp status, straight to the devices', () => {
  it('reports up, auth-failed and down with versions and latency; exit 1 unless all are up', async () => {
    const dir = writeProject({ a: EDGE_TOKEN, b: 'lme_wrong-token-0123456789abcdefghij', c: EDGE_TOKEN });
    const result = await run(['status', '--json'], dir);
    expect(result.code).toBe(1);
    const rows = result.jsonLines<StatusRow>();
    expect(rows.map((r) => [r.name, r.status, r.via])).toEqual([['a', 'up', 'direct'], ['b', 'auth-failed', 'direct'], ['c', 'down', 'direct']]);
    expect(rows[0]).toMatchObject({ kind: 'edge', where: '127.0.0.1', version: 'fake-1' });
    expect(rows[0]!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(rows[1]!.error).toMatch(/refused the hub's credentials \(HTTP 401\)/);
    expect(rows[2]!.error).toMatch(/ECONNREFUSED 127\.0\.0\.3/);
    expect(result.stderr).toMatch(/Skipping 1 device\(s\) with state: absent/);
    expect(result.stderr).toMatch(/No hub answers at http:\/\/127\.0\.0\.1:\d+: checked the devices directly/);
  });

  it('says no-token for an edge lanmcp holds no token for, and exits 0 when the selection is all up', async () => {
    const dir = writeProject({ a: EDGE_TOKEN });
    const missing = await run(['status', '--json', '--limit', 'b'], dir);
    expect(missing.code).toBe(1);
    expect(missing.jsonLines<StatusRow>()).toEqual([expect.objectContaining({ name: 'b', status: 'no-token', version: 'fake-1', error: expect.stringMatching(/no edge token for b in \.lanmcp\/tokens\//) })]);
    const ok = await run(['status', '--limit', 'a'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toMatch(/^DEVICE\s+KIND\s+STATUS\s+VERSION\s+LATENCY\s+WHERE \/ DETAIL$/m);
    expect(ok.stderr).toMatch(/^a\s+edge\s+✓ up\s+fake-1\s+\d+ ms\s+127\.0\.0\.1$/m);
    expect(ok.stderr).toContain('1/1 up · checked directly over HTTP');
  });

  it('refuses a --limit that matches nothing', async () => {
    const result = await run(['status', '--limit', 'nope'], writeProject({}));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error E_LIMIT_NO_MATCH/);
  });
});

describe('lanmcp status, through a running hub', () => {
  let dir: string;
  let hub: RunningHub;
  let token: string;
  beforeAll(async () => {
    dir = writeProject({ a: EDGE_TOKEN, b: EDGE_TOKEN });
    const loaded = await loadHubOptions(join(dir, 'inventory.yaml'), {}, { cwd: dir });
    hub = await startHub(loaded.options);
    token = loaded.clientTokens.create('status-test');
  });
  afterAll(async () => hub.close());

  it("shows the hub's view when LANMCP_TOKEN is one of its client tokens", async () => {
    const result = await run(['status', '--json'], dir, { LANMCP_TOKEN: token });
    expect(result.code).toBe(1);
    expect(result.jsonLines<StatusRow>().map((r) => [r.name, r.status, r.via])).toEqual([['a', 'up', 'hub'], ['b', 'up', 'hub'], ['c', 'no-token', 'hub']]);
    const table = await run(['status', '--limit', 'web'], dir, { LANMCP_TOKEN: token });
    expect(table.code).toBe(0);
    expect(table.stderr).toContain(`2/2 up · via the hub at ${hub.url}`);
  });

  it('checks directly and says why when the token is missing or refused', async () => {
    const without = await run(['status', '--json', '--limit', 'a'], dir);
    expect(without.jsonLines<StatusRow>()[0]).toMatchObject({ status: 'up', via: 'direct' });
    expect(without.stderr).toMatch(/A hub runs at http:\/\/127\.0\.0\.1:\d+; set LANMCP_TOKEN/);
    const refused = await run(['status', '--json', '--limit', 'a'], dir, { LANMCP_TOKEN: 'lmc_not-a-real-token-000000000000000' });
    expect(refused.jsonLines<StatusRow>()[0]).toMatchObject({ status: 'up', via: 'direct' });
    expect(refused.stderr).toMatch(/the hub refused the client token in LANMCP_TOKEN \(401\): checked the devices directly/);
  });
});

describe('lanmcp status, through a hub serving hub.tls with a self-signed certificate', () => {
  let certs: string;
  let dir: string;
  let hub: RunningHub;
  let token: string;
  beforeAll(async () => {
    certs = mkdtempSync(join(tmpdir(), 'lanmcp-status-tls-'));
    // Made for another name than the address status uses: only the pinned key can make it acceptable.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=hub.invalid',
      '-keyout', join(certs, 'hub.key'), '-out', join(certs, 'hub.crt')], { stdio: 'pipe' });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=other',
      '-keyout', join(certs, 'other.key'), '-out', join(certs, 'other.crt')], { stdio: 'pipe' });
    dir = writeProject({ a: EDGE_TOKEN }, `127.0.0.1:${hubPort}`, `, tls: { cert_file: ${join(certs, 'hub.crt')}, key_file: ${join(certs, 'hub.key')} }`);
    const loaded = await loadHubOptions(join(dir, 'inventory.yaml'), {}, { cwd: dir });
    hub = await startHub(loaded.options);
    token = loaded.clientTokens.create('status-tls');
  });
  afterAll(async () => {
    await hub?.close();
    rmSync(certs, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the hub's view over HTTPS, trusting exactly the key of hub.tls's certificate", async () => {
    expect(hub.url).toMatch(/^https:/);
    const result = await run(['status', '--json', '--limit', 'a'], dir, { LANMCP_TOKEN: token });
    expect(result.jsonLines<StatusRow>()[0]).toMatchObject({ name: 'a', status: 'up', via: 'hub' });
    expect(result.stderr).toContain(`via the hub at ${hub.url}`);
  });

  it('does not trust the hub when hub.tls names another certificate than the one it serves', async () => {
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace('hub.crt', 'other.crt'));
    const result = await run(['status', '--json', '--limit', 'a'], dir, { LANMCP_TOKEN: token });
    expect(result.jsonLines<StatusRow>()[0]).toMatchObject({ name: 'a', status: 'up', via: 'direct' });
    expect(result.stderr).toMatch(/No hub answers at https:\/\/127\.0\.0\.1:\d+: checked the devices directly/);
  });
});

describe('status views', () => {
  it('maps hub rows: up, missing credential, refused credential, down', () => {
    expect(statusFromHubDevice({ name: 'x', kind: 'edge', address: '10.0.0.2', status: 'up', latency_ms: 4, version: '0.1.0' }))
      .toEqual({ name: 'x', kind: 'edge', where: '10.0.0.2', status: 'up', version: '0.1.0', latency_ms: 4, via: 'hub' });
    expect(statusFromHubDevice({ name: 'x', kind: 'edge', address: 'h', status: 'down', error: 'no edge token for x in .lanmcp/tokens/ (run …)' }).status).toBe('no-token');
    expect(statusFromHubDevice({ name: 'ha', kind: 'mcp', url: 'http://ha/api/mcp', status: 'down', error: 'environment variable HA_TOKEN is not set for ha' }))
      .toMatchObject({ status: 'no-token', where: 'http://ha/api/mcp' });
    expect(statusFromHubDevice({ name: 'x', kind: 'mcp', url: 'u', status: 'down', error: "refused the hub's credentials (HTTP 401)" }).status).toBe('auth-failed');
    expect(statusFromHubDevice({ name: 'x', kind: 'edge', address: 'h', status: 'unknown' })).toMatchObject({ status: 'down', error: 'status unknown' });
  });

  it('renders an aligned table and the summary line', () => {
    const rows: StatusRow[] = [
      { name: 'kitchen-pi', kind: 'edge', where: '10.0.0.21', status: 'up', version: '0.1.0', latency_ms: 3, via: 'direct' },
      { name: 'ha', kind: 'mcp', where: 'http://10.0.0.5:8123/api/mcp', status: 'no-token', error: 'environment variable HA_TOKEN is not set for ha', via: 'direct' },
    ];
    expect(renderStatusTable({ rows, hubNote: 'No hub answers at http://127.0.0.1:8765: checked the devices directly.' })).toBe([
      'DEVICE      KIND  STATUS      VERSION  LATENCY  WHERE / DETAIL',
      'kitchen-pi  edge  ✓ up        0.1.0    3 ms     10.0.0.21',
      'ha          mcp   ✗ no-token  -        -        http://10.0.0.5:8123/api/mcp · environment variable HA_TOKEN is not set for ha',
      '',
      '1/2 up · checked directly over HTTP',
      'No hub answers at http://127.0.0.1:8765: checked the devices directly.',
      '',
    ].join('\n'));
    expect(allUp(rows)).toBe(false);
    expect(allUp([])).toBe(false);
  });
});
