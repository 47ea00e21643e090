import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubCommand } from '../../../src/cli/commands/hub.js';
import { tokenCommand } from '../../../src/cli/commands/token.js';
import { runCli } from '../../../src/cli/run.js';
import { createTokenStore } from '../../../src/secrets/token-store.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';

const EDGE_TOKEN = 'lme_hub-command-test-token-0123456789';
let edge: FakeEdge;
let file: string;

beforeAll(async () => {
  edge = await startFakeEdge('pi-a', EDGE_TOKEN);
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-hub-cmd-'));
  file = join(dir, 'inventory.yaml');
  writeFileSync(file, `version: 1\nhosts:\n  pi-a: { address: 127.0.0.1, edge: { port: ${edge.port}, tls: false } }\n`);
  await createTokenStore(join(dir, '.lanmcp')).write('pi-a', EDGE_TOKEN);
});
afterAll(() => edge.stop());

function start(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += c));
  const exit = runCli(argv, { stdout, stderr, env: {}, cwd: process.cwd(), interactive: false }, [hubCommand, tokenCommand]);
  return { exit, stderr: () => err };
}

describe('lanmcp hub', () => {
  it('reports where it listens and the upstreams, serves, and exits 0 on SIGINT', async () => {
    const run = start('hub', '-i', file, '--listen', '127.0.0.1:0');
    await expect.poll(run.stderr, { timeout: 5000 }).toMatch(/listening on/);
    expect(run.stderr()).toMatch(/^lanmcp hub: listening on http:\/\/127\.0\.0\.1:\d+\/mcp — 1\/1 upstreams up\n  ✓ pi-a \(edge\) up \d+ ms vfake-1\n/);
    expect(run.stderr()).toMatch(/No client tokens yet/);
    const url = /listening on (\S+)\/mcp/.exec(run.stderr())![1]!;
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ ok: true });
    process.emit('SIGINT', 'SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toMatch(/SIGINT, closing sessions and upstream connections/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('says so when hub.host runs the hub as a service elsewhere, and still serves here', async () => {
    const withHost = join(file, '..', 'with-hub-host.yaml');
    writeFileSync(withHost, `version: 1\nhub: { host: pi-a }\nhosts:\n  pi-a: { address: 127.0.0.1, edge: { port: ${edge.port}, tls: false } }\n`);
    const run = start('hub', '-i', withHost, '--listen', '127.0.0.1:0');
    await expect.poll(run.stderr, { timeout: 5000 }).toMatch(/listening on/);
    expect(run.stderr()).toMatch(/^Note: hub\.host is pi-a: `lanmcp apply` runs the hub as a service there; this starts a second hub on this machine\.\nlanmcp hub: listening on/);
    process.emit('SIGINT', 'SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('exit 1 for a bad --listen, naming the flag', async () => {
    const run = start('hub', '-i', file, '--listen', 'nowhere');
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/--listen "nowhere" is not HOST:PORT/);
  });
});
