// `lanmcp validate` and `lanmcp init` run in-process through runCli, the way bin/lanmcp.mjs runs them.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderStarterInventory } from '../../../src/cli/commands/init.js';
import { findPackageRoot } from '../../../src/shared/package-root.js';
import { runLanmcp } from '../../support/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lanmcp-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));


const lanmcp = (...argv: string[]) => runLanmcp(argv, { cwd: dir, env: { HOME: '/home/tester' } });

const VALID = `version: 1
groups: { pis: { hosts: [pi] } }
hosts:
  pi: { address: 10.0.0.21, edge: { tls: false } }
  ha: { kind: mcp, url: "http://10.0.0.5:8123/api/mcp", auth: { bearer_env: HA_TOKEN } }
`;
const INVALID = `version: 1
groups: { pis: { hosts: [pi, ghost] } }
hosts:
  pi: { address: 10.0.0.21, sshh: {} }
`;

describe('lanmcp validate', () => {
  it('accepts a valid inventory: exit 0, summary on stderr, warnings shown, nothing on stdout', async () => {
    writeFileSync(join(dir, 'inventory.yaml'), VALID);
    const run = await lanmcp('validate');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'inventory.yaml:4:42: warning rule/plain-http: edge tls: false: plain HTTP, so edge tokens and command output cross the LAN in clear text and the hub cannot tell the edge from an impostor\n' +
        '  hint: remove `tls: false` (TLS with a key pinned over SSH is the default) unless an old edge cannot serve it\n' +
        'inventory.yaml is valid: 2 devices (1 edge, 1 mcp), 1 group, 1 warning\n',
    );
  });

  it('rejects an invalid inventory: exit 1, every diagnostic as file:line:col, then the count', async () => {
    writeFileSync(join(dir, 'site.yaml'), INVALID);
    const run = await lanmcp('validate', '-i', 'site.yaml');
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((line) => !line.startsWith('  '));
    expect(lines).toEqual([
      'site.yaml:2:30: error rule/unknown-host: group "pis" lists unknown host "ghost"',
      'site.yaml:4:29: error schema/unknown-key: unknown key "sshh" in hosts.pi',
      'site.yaml: 2 errors',
      '',
    ]);
    expect(run.stderr).toContain('  hint: did you mean "ssh"? allowed keys here: kind, address, description, tags, state, ssh, edge');
  });

  it('prints {valid, file, devices, diagnostics} on stdout with --json', async () => {
    writeFileSync(join(dir, 'inventory.yaml'), VALID);
    const ok = await lanmcp('validate', '--json');
    const report = JSON.parse(ok.stdout) as { valid: boolean; file: string; devices: { name: string }[]; diagnostics: unknown[] };
    expect(report.valid).toBe(true);
    expect(report.file).toBe('inventory.yaml');
    expect(report.devices.map((d) => d.name)).toEqual(['pi', 'ha']);
    expect(report.diagnostics).toHaveLength(1);

    writeFileSync(join(dir, 'inventory.yaml'), INVALID);
    const bad = await lanmcp('validate', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, devices: [], diagnostics: [{ code: 'rule/unknown-host', line: 2, column: 30 }, { code: 'schema/unknown-key' }] });
  });

  it('reports a missing inventory as E_INVENTORY_NOT_FOUND with exit 1', async () => {
    const run = await lanmcp('validate', '-i', 'nope.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error E_INVENTORY_NOT_FOUND: inventory nope\.yaml does not exist\n  hint: create one with `lanmcp init`/);
  });

  it('explains itself with --help', async () => {
    const run = await lanmcp('validate', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: lanmcp validate \[-i FILE\] \[--json\]/);
    expect(run.stdout).toContain('exit: 0 valid, 1 invalid');
  });
});

describe('lanmcp init', () => {
  it('writes the starter inventory, .lanmcp/ (0700) and a .gitignore entry; the result validates', async () => {
    const run = await lanmcp('init');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('wrote inventory.yaml\ncreated .lanmcp/ (mode 0700)\nadded .lanmcp/ to .gitignore\n');
    const text = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    const schema = join(findPackageRoot(), 'schemas', 'inventory.schema.json');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    expect(existsSync(schema)).toBe(true);
    expect(statSync(join(dir, '.lanmcp')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.lanmcp/\n');
    expect((await lanmcp('validate')).code).toBe(0);
  });

  it('appends to an existing .gitignore once, and honours -i', async () => {
    writeFileSync(join(dir, '.gitignore'), 'node_modules/');
    expect((await lanmcp('init', '-i', 'home.yaml')).code).toBe(0);
    expect((await lanmcp('init', '-i', 'office.yaml')).code).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.lanmcp/\n');
    expect(existsSync(join(dir, 'home.yaml')) && existsSync(join(dir, 'office.yaml'))).toBe(true);
  });

  it('creates the folder of a -i path, and puts .lanmcp/ and .gitignore next to the inventory', async () => {
    const run = await lanmcp('init', '-i', 'sites/home/inventory.yaml');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('created sites/home/.lanmcp/ (mode 0700)\nadded .lanmcp/ to sites/home/.gitignore\n');
    expect(statSync(join(dir, 'sites/home/.lanmcp')).mode & 0o777).toBe(0o700);
    expect((await lanmcp('validate', '-i', 'sites/home/inventory.yaml')).code).toBe(0);
  });

  it('refuses to overwrite an inventory: E_INIT_EXISTS, exit 1, file untouched', async () => {
    writeFileSync(join(dir, 'inventory.yaml'), 'mine\n');
    const run = await lanmcp('init');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error E_INIT_EXISTS: inventory\.yaml already exists/);
    expect(readFileSync(join(dir, 'inventory.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, '.lanmcp'))).toBe(false);
  });

  it('finds the example from the built CLI one folder below the package root', () => {
    const root = findPackageRoot();
    expect(findPackageRoot(new URL(`file://${root}/dist/cli.mjs`).href)).toBe(root);
    expect(findPackageRoot(new URL(`file://${root}/src/cli/commands/init.ts`).href)).toBe(root);
  });

  it('rewrites only the schema comment of the example', () => {
    expect(renderStarterInventory('# yaml-language-server: $schema=./x.json\nversion: 1\n', '/opt/l/schema.json')).toBe(
      '# yaml-language-server: $schema=/opt/l/schema.json\nversion: 1\n',
    );
  });

  it('explains itself with --help, and is listed by lanmcp --help', async () => {
    expect((await lanmcp('init', '--help')).stdout).toMatch(/^usage: lanmcp init \[-i FILE\]/);
    const global = await lanmcp('--help');
    expect(global.stdout).toMatch(/\n {2}init +write a commented starter inventory/);
    expect(global.stdout).toMatch(/\n {2}validate +check the inventory/);
  });
});
