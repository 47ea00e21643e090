import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// STYLE.md: the pure core imports no I/O; the edge ships to devices and imports only itself and shared/.
const root = new URL('../../src/', import.meta.url).pathname;
const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node-ssh', 'fastify', 'listr2', '@modelcontextprotocol/sdk'];
const PURE_FILES = [
  /^plan\//,
  /^facts\/(facts-script|parse-facts)\.ts$/,
  /^inventory\/(parse|resolve|rules|plain-http-rules|address-rules|secret-rules|select|types|raw|source-map|suggest|hub|paths)\.ts$/,
  /^lab\/(addressing|mirror|recipe|lab-files)\.ts$/,
  /^remote\/(shell|known-hosts|host-key-check|ssh-config|ssh-config-resolve|ssh-errors)\.ts$/,
  /^cli\/views\//,
  /^shared\/(errors|diagnostics|hash|concurrency)\.ts$/,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!)
    .concat([...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
}

/** A relative import as a path under src/ (`edge/tools/run.ts`), or undefined for a package or built-in. */
function resolveImport(fromFile: string, module: string): string | undefined {
  if (!module.startsWith('.')) return undefined;
  return relative(root, join(fromFile, '..', module));
}

const files = sourceFiles(root).map((path) => ({ path, rel: relative(root, path) }));

describe('architecture', () => {
  it('pure modules import no I/O', () => {
    const offenders = files
      .filter((f) => PURE_FILES.some((re) => re.test(f.rel)))
      .flatMap((f) => importsOf(f.path).filter((m) => IO_MODULES.some((io) => m === io || m.startsWith(`${io}/`))).map((m) => `${f.rel} imports ${m}`));
    expect(offenders).toEqual([]);
  });

  it('the edge imports only edge/, shared/ and Node built-ins (it ships to devices as one file)', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('edge/'))
      .flatMap((f) => importsOf(f.path).map((m) => ({ file: f.rel, module: m, target: resolveImport(f.path, m) })))
      .filter(({ module, target }) => (target === undefined ? !module.startsWith('node:') : !/^(edge|shared)\//.test(target)))
      .map(({ file, module }) => `${file} imports ${module}`);
    expect(offenders).toEqual([]);
  });

  it('hub and edge never import the CLI', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('hub/') || f.rel.startsWith('edge/'))
      .flatMap((f) => importsOf(f.path).filter((m) => /\/cli\//.test(m)).map((m) => `${f.rel} imports ${m}`));
    expect(offenders).toEqual([]);
  });
});
