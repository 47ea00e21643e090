import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hubCommand } from '../../../src/cli/commands/hub.js';
import { tokenCommand } from '../../../src/cli/commands/token.js';
import { runCli } from '../../../src/cli/run.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import { sha256Hex } from '../../../src/shared/hash.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'lanmcp-tokens-'));

describe('client token store', () => {
  it('keeps only hashes, in a 0600 file, and verifies the token it issued', () => {
    const dir = fresh();
    const store = createClientTokenStore(dir);
    const token = store.create('laptop');
    expect(token).toMatch(/^lmc_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(store.file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toContain(sha256Hex(token));
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(store.verify(token)).toBe('laptop');
    expect(store.verify(`${token}x`)).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('holds several named tokens; revoking one leaves the others', () => {
    const store = createClientTokenStore(fresh());
    const a = store.create('laptop');
    const b = store.create('ci');
    expect(store.list().map((t) => t.name)).toEqual(['laptop', 'ci']);
    expect(store.revoke('laptop')).toBe(true);
    expect(store.revoke('laptop')).toBe(false);
    expect(store.verify(a)).toBeUndefined();
    expect(store.verify(b)).toBe('ci');
  });

  it('refuses a bad or duplicate name, naming the problem', () => {
    const store = createClientTokenStore(fresh());
    store.create('laptop');
    expect(() => store.create('laptop')).toThrow(/already exists/);
    expect(() => store.create('Bad Name')).toThrow(/not valid/);
  });

  it('re-reads the file when another process changes it', () => {
    const dir = fresh();
    const hubView = createClientTokenStore(dir);
    const cliView = createClientTokenStore(dir);
    const token = cliView.create('laptop');
    expect(hubView.verify(token)).toBe('laptop');
    cliView.revoke('laptop');
    expect(hubView.verify(token)).toBeUndefined();
  });

  it('records last_used at most once a minute', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = createClientTokenStore(fresh(), () => now);
    const token = store.create('laptop');
    store.verify(token);
    expect(store.list()[0]!.last_used).toBe('2026-01-01T00:00:00.000Z');
    now = new Date('2026-01-01T00:00:30Z');
    store.verify(token);
    expect(store.list()[0]!.last_used).toBe('2026-01-01T00:00:00.000Z');
    now = new Date('2026-01-01T00:02:00Z');
    store.verify(token);
    expect(store.list()[0]!.last_used).toBe('2026-01-01T00:02:00.000Z');
  });

  it('a damaged clients.json is an error naming the file and entry, never an open hub', () => {
    const dir = fresh();
    const store = createClientTokenStore(dir);
    store.create('laptop');
    writeFileSync(store.file, JSON.stringify({ version: 1, tokens: [{ name: 'x', sha256: 'short', created: 'now' }] }));
    expect(() => store.verify('lmc_anything')).toThrow(/clients\.json: tokens\[0\] needs name, sha256/);
  });
});

async function cli(dir: string, ...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(argv, { stdout, stderr, env: {}, cwd: dir, interactive: false }, [hubCommand, tokenCommand]);
  return { code, stdout: out, stderr: err };
}

describe('lanmcp token', () => {
  it('create prints the token once on stdout; list shows fingerprints, never the token; revoke removes it', async () => {
    const dir = fresh();
    const created = await cli(dir, 'token', 'create', 'laptop');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^lmc_/);
    expect(created.stderr).toMatch(/shown only now/);
    expect(created.stderr).not.toContain(token);
    const list = await cli(dir, 'token', 'list');
    expect(list.stdout).toMatch(/laptop\s+sha256:[0-9a-f]{12}/);
    expect(list.stdout).not.toContain(token);
    const json = JSON.parse((await cli(dir, 'token', 'list', '--json')).stdout) as { tokens: { name: string; fingerprint: string }[] };
    expect(json.tokens).toEqual([expect.objectContaining({ name: 'laptop', fingerprint: `sha256:${sha256Hex(token).slice(0, 12)}` })]);
    expect(JSON.stringify(json)).not.toContain(sha256Hex(token));
    expect((await cli(dir, 'token', 'revoke', 'laptop')).code).toBe(0);
    expect(createClientTokenStore(join(dir, '.lanmcp')).verify(token)).toBeUndefined();
  });

  it('exit 1 with a hint for an unknown name, a missing name or an unknown action', async () => {
    const dir = fresh();
    const unknown = await cli(dir, 'token', 'revoke', 'ghost');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no client token named "ghost"[\s\S]*hint: run `lanmcp token list`/);
    expect((await cli(dir, 'token', 'create')).code).toBe(1);
    expect((await cli(dir, 'token', 'frobnicate')).stderr).toMatch(/unknown token action "frobnicate"/);
  });

  it('uses the .lanmcp folder next to the -i inventory', async () => {
    const dir = fresh();
    const created = await cli(dir, 'token', 'create', 'ci', '-i', 'site/inventory.yaml');
    expect(created.code).toBe(0);
    expect(createClientTokenStore(join(dir, 'site', '.lanmcp')).verify(created.stdout.trim())).toBe('ci');
  });
});
