// Secrets hygiene (issue 7): a full run — apply, diff with diffs and JSON, token rotation, the hub with a
// real client, status, exec, token list, a refused call with a wrong token — and then every output, log,
// audit line and device file is searched for every secret. Only the two places whose job is to hand a
// secret to the user (`token create` and `connect` on stdout) may contain one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHubOptions, startHub } from '../../src/hub/start.js';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory, type CliRun } from './provision-helpers.js';

const DEVICES = ['lab1', 'lab2'];

describe('no secret ever appears in output, logs, audit lines, errors or diffs', () => {
  const transcript: { what: string; text: string }[] = [];
  const secrets = new Set<string>();
  /** The edges' TLS private keys as they are on the devices (read here over SSH only to search for them). */
  const privateKeys: string[] = [];
  let inventory: string;
  let stateDir: string;

  const record = (what: string, run: CliRun) => {
    transcript.push({ what: `${what} (stdout)`, text: run.stdout }, { what: `${what} (stderr)`, text: run.stderr });
    return run;
  };
  const collectEdgeTokens = () => {
    for (const file of readdirSync(join(stateDir, 'tokens')).filter((f) => f.endsWith('.token'))) secrets.add(readFileSync(join(stateDir, 'tokens', file), 'utf8').trim());
  };

  beforeAll(async () => {
    await Promise.all(DEVICES.map(freshDevice));
    inventory = writeLabInventory(DEVICES.map((name) => ({ name })));
    stateDir = join(dirname(inventory), '.lanmcp');

    expect(record('apply --json', await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--json')).code).toBe(0);
    collectEdgeTokens();
    record('diff --diff --verbose', await lanmcp('diff', '-i', inventory, '--diff', '--verbose'));
    record('diff --json', await lanmcp('diff', '-i', inventory, '--json'));
    expect(record('apply --rotate-tokens all', await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--rotate-tokens', 'all', '--verbose')).code).toBe(0);
    collectEdgeTokens();

    const created = await lanmcp('token', 'create', 'hygiene', '-i', inventory);
    expect(created.code).toBe(0);
    const clientToken = created.stdout.trim();
    secrets.add(clientToken);
    transcript.push({ what: 'token create (stderr)', text: created.stderr });
    record('token list --json', await lanmcp('token', 'list', '--json', '-i', inventory));

    const loaded = await loadHubOptions(inventory, {}, { cwd: dirname(inventory), listen: { host: '127.0.0.1', port: 0 } });
    const hub = await startHub(loaded.options);
    try {
      const client = new Client({ name: 'hygiene', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(hub.url), { requestInit: { headers: { authorization: `Bearer ${clientToken}` } } }));
      const results = [
        await client.callTool({ name: 'run_command', arguments: { host: 'lab1', command: 'echo hello', env: { API_KEY: 'not-a-real-key-but-redacted' } } }),
        await client.callTool({ name: 'run_on_many', arguments: { target: 'all', command: 'uptime' } }),
        await client.callTool({ name: 'network_resources', arguments: {} }),
        await client.callTool({ name: 'write_file', arguments: { host: 'lab2', path: '/tmp/hygiene.txt', content: 'data' } }),
      ];
      await client.close();
      transcript.push({ what: 'MCP results through the hub', text: JSON.stringify(results) });
      const refused = await fetch(hub.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${[...secrets][0]}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      expect(refused.status, 'an edge token presented to the hub is refused').toBe(401);
      transcript.push({ what: 'hub 401 response', text: `${JSON.stringify([...refused.headers])}\n${await refused.text()}` });
      const metrics = await fetch(hub.url.replace(/\/mcp$/, '/metrics'));
      transcript.push({ what: 'hub /metrics', text: await metrics.text() });
    } finally {
      await hub.close();
    }
    record('status --json', await lanmcp('status', '--json', '-i', inventory));
    record('exec all', await lanmcp('exec', 'all', '-i', inventory, '--', 'hostname'));
    transcript.push({ what: 'audit log', text: readFileSync(loaded.hub.audit_log, 'utf8') });
    for (const device of DEVICES) {
      transcript.push({ what: `${device} journal`, text: (await deviceExec(device, 'journalctl --no-pager -o cat -u lanmcp-edge')).stdout });
      transcript.push({ what: `${device} edge files`, text: (await deviceExec(device, 'cat /etc/lanmcp-edge/config.json /var/lib/lanmcp-edge/receipt.json /etc/systemd/system/lanmcp-edge.service')).stdout });
      privateKeys.push((await deviceExec(device, 'cat /etc/lanmcp-edge/tls/key.pem')).stdout);
    }
  });

  it('collected the secrets of the run: 4 edge tokens (2 issued, 2 rotated) and a client token', () => {
    expect(secrets.size).toBe(5);
    expect(transcript.length).toBeGreaterThan(15);
  });

  it('finds none of them anywhere', () => {
    const leaks = transcript.flatMap(({ what, text }) => [...secrets].filter((s) => text.includes(s)).map((s) => `${what} contains ${s.slice(0, 8)}…`));
    expect(leaks).toEqual([]);
  });

  it("the edges' TLS private keys never left the devices", () => {
    expect(privateKeys).toHaveLength(DEVICES.length);
    // Characters 48-88 of a P-256 PKCS#8 body are the private scalar; the start is the same for every key.
    const bodies = privateKeys.map((pem) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''));
    for (const body of bodies) expect(body.length).toBeGreaterThan(100);
    const leaks = transcript.filter(({ text }) => /PRIVATE KEY/.test(text) || bodies.some((b) => text.replace(/\s/g, '').includes(b.slice(48, 88)))).map((t) => t.what);
    expect(leaks).toEqual([]);
  });

  it('the audit log redacts environment values and file contents', () => {
    const audit = transcript.find((t) => t.what === 'audit log')!.text;
    expect(audit).toContain('run_command');
    expect(audit).not.toContain('not-a-real-key-but-redacted');
    expect(audit).not.toMatch(/"content":\s*"data"/);
  });

  it('keeps every file in .lanmcp/ private (0600) and the folder 0700', () => {
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? [path, ...walk(path)] : [path];
    });
    const loose = walk(stateDir).filter((path) => (statSync(path).mode & 0o077) !== 0).map((path) => `${path} ${(statSync(path).mode & 0o777).toString(8)}`);
    expect(loose).toEqual([]);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
  });
});
