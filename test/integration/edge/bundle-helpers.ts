import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { TEST_TOKEN_SHA256 } from '../../unit/edge/test-config.js';

/**
 * Builds src/edge/main.ts the way scripts/build.mjs does (one ESM file, node18, minified, createRequire
 * banner) into a temp dir, so these tests do not depend on the whole project's build.
 */
export async function buildEdgeBundle(): Promise<{ dir: string; bundle: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-bundle-'));
  const bundle = join(dir, 'edge.mjs');
  await build({
    entryPoints: [new URL('../../../src/edge/main.ts', import.meta.url).pathname], outfile: bundle, bundle: true, platform: 'node', format: 'esm',
    target: 'node18', minify: true, legalComments: 'none', logLevel: 'warning', define: { __LANMCP_VERSION__: '"0.0.0-bundle-test"' },
    banner: { js: "import { createRequire as __lanmcpCreateRequire } from 'node:module'; const require = __lanmcpCreateRequire(import.meta.url);" },
  });
  return { dir, bundle };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningBundle {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node edge.mjs --config FILE` with a loopback config; resolves once /healthz answers. */
export async function startBundle(bundle: string, dir: string, extra: Record<string, unknown> = {}, node = process.execPath): Promise<RunningBundle> {
  const port = await freePort();
  const config = join(dir, `config-${port}.json`);
  writeFileSync(config, JSON.stringify({ name: 'bundle-test', listen: { host: '127.0.0.1', port }, token_sha256: TEST_TOKEN_SHA256, policy: {}, ...extra }), { mode: 0o600 });
  const child = spawn(node, ['--max-semi-space-size=1', bundle, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, port, stdout: () => out, stderr: () => err, exited };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`the edge bundle did not answer /healthz on port ${port}: ${err}`);
}

/** Runs the bundle to completion (for start-up failures). */
export function runBundleOnce(bundle: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
