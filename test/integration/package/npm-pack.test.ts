import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot } from '../../../src/shared/package-root.js';

const root = findPackageRoot();
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

/** What a user gets from `npm install lanmcp`: the packed tarball installed into an empty folder, production deps only. */
describe('npm pack', () => {
  const made: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })), 120_000);

  it('installs into an empty folder and runs: --help, init, validate; ships the edge and hub bundles, schema and templates', { timeout: 240_000 }, () => {
    const packDir = tempDir('lanmcp-pack-');
    // --ignore-scripts: the suite built dist/ already, and a prepack rebuild would rewrite dist/edge.mjs while
    // real-device tests read it.
    const tarball = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], root).trim().split('\n').pop()!;
    const app = tempDir('lanmcp-app-');
    run('npm', ['init', '-y'], app);
    run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(packDir, tarball)], app);

    const installed = join(app, 'node_modules', 'lanmcp');
    for (const file of ['dist/cli.mjs', 'dist/edge.mjs', 'dist/hub.mjs', 'schemas/inventory.schema.json', 'templates/lanmcp-edge.service', 'templates/lanmcp-hub.service', 'inventory.example.yaml', 'README.md']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, 'src')), 'sources stay out of the package').toBe(false);
    const devDependencies = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies as Record<string, string>);
    for (const dev of devDependencies) expect(existsSync(join(app, 'node_modules', dev)), `dev dependency ${dev} installed`).toBe(false);

    const lanmcp = join(app, 'node_modules', '.bin', 'lanmcp');
    expect(statSync(lanmcp).mode & 0o111).not.toBe(0);
    expect(run(lanmcp, ['--help'], app)).toContain('usage: lanmcp <command>');
    expect(run(lanmcp, ['--version'], app).trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    run(lanmcp, ['init'], app);
    expect(statSync(join(app, '.lanmcp')).mode & 0o777).toBe(0o700);
    cpSync(join(installed, 'inventory.example.yaml'), join(app, 'example.yaml'));
    const validate = execFileSync(lanmcp, ['validate', '-i', 'inventory.yaml'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(validate).toBe('');
    expect(run(lanmcp, ['validate', '-i', 'example.yaml', '--json'], app)).toContain('"valid": true');
  });
});
