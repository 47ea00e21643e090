import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { Random } from './random.js';

/**
 * A throw-away directory tree standing in for a device: the edge's own files (bundle, config, unit,
 * receipt) as protected paths, and a sandbox full of symlinks pointing into them, dangling, looping
 * and relative. Nothing outside `root` is ever written: callers check `physicalTarget` first.
 */
export interface FsWorld {
  root: string;
  sandbox: string;
  protectedPaths: string[];
  /** Every file under the protected paths with its content hash and mode: compare before and after. */
  snapshot(): string;
  remove(): void;
}

export function createFsWorld(): FsWorld {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'lanmcp-fuzz-fs-')));
  const w = (p: string) => join(root, p);
  const files: Record<string, string> = {
    'opt-lanmcp-edge/edge.mjs': 'console.log("edge")\n', 'opt-lanmcp-edge/lib/inner/x.js': 'x\n',
    'etc-lanmcp-edge/config.json': '{"token_sha256":"00"}\n', 'systemd/lanmcp-edge.service': '[Service]\n',
    'var-lib-lanmcp-edge/receipt.json': '{}\n', 'sandbox/a.txt': 'a\n', 'sandbox/sub/b.txt': 'b\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(w(path)), { recursive: true });
    writeFileSync(w(path), text);
  }
  const links: Record<string, string> = {
    'to-etc': w('etc-lanmcp-edge'), 'to-config': w('etc-lanmcp-edge/config.json'), 'to-unit': w('systemd/lanmcp-edge.service'),
    'dangling': w('etc-lanmcp-edge/new.json'), 'dangling-dir': w('opt-lanmcp-edge/newdir'), 'to-lib': w('opt-lanmcp-edge/lib'),
    'to-inner': w('opt-lanmcp-edge/lib/inner'), 'loop': 'loop', 'rel-etc': '../etc-lanmcp-edge', 'to-sub': 'sub',
  };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, w(`sandbox/${name}`));
  const protectedPaths = ['opt-lanmcp-edge', 'etc-lanmcp-edge', 'systemd/lanmcp-edge.service', 'var-lib-lanmcp-edge'].map(w);
  return {
    root, sandbox: w('sandbox'), protectedPaths,
    snapshot: () => protectedPaths.map(describeTree).join('\n'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function describeTree(path: string): string {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s) return `${path} missing`;
  if (s.isSymbolicLink()) return `${path} -> ${readlinkSync(path)}`;
  if (s.isFile()) return `${path} ${(s.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  return [`${path}/ ${(s.mode & 0o7777).toString(8)}`, ...readdirSync(path).sort().map((n) => describeTree(join(path, n)))].join('\n');
}

/**
 * Where the kernel puts a file written at `path` (rename replaces a final symlink itself): components
 * walked left to right, symlinks followed where they stand, `..` applied to the physical directory.
 * Undefined for a path with NUL or a symlink loop (the write fails on its own).
 */
export function physicalTarget(path: string): string | undefined {
  if (path.includes('\u0000')) return undefined;
  const parts = path.split('/');
  let current = '/';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, part);
    const stat = lstatOrUndefined(next);
    if (!stat?.isSymbolicLink() || i === parts.length - 1) {
      current = next;
      continue;
    }
    try {
      current = realpathSync(next);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
      current = posix.resolve(current, readlinkSync(next)); // dangling: the kernel would go there (and fail)
    }
  }
  return current;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENAMETOOLONG, ENOTDIR, EACCES: not a symlink the kernel would follow either
  }
}

export function isInside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path === d || path.startsWith(`${d}/`));
}

/**
 * A path under the world built from segments that matter to path checks: symlinks, `..`, `.`, empty
 * segments, NUL, overlong names. `dotDotAfterLink` allows `..` anywhere after a symlinked directory (the
 * protection bug in write_file; see edge-tools.test.ts).
 */
export function worldPath(r: Random, world: FsWorld, options: { dotDotAfterLink: boolean }): string {
  const linkDirs = ['to-etc', 'to-lib', 'to-inner', 'rel-etc', 'to-sub', 'dangling-dir'];
  const names = ['sandbox', 'a.txt', 'sub', 'b.txt', 'to-config', 'to-unit', 'dangling', 'loop', 'config.json', 'edge.mjs', 'lib', 'inner',
    'x.js', 'new.txt', 'etc-lanmcp-edge', 'opt-lanmcp-edge', 'systemd', 'lanmcp-edge.service', 'var-lib-lanmcp-edge', 'receipt.json'];
  const odd = ['.', '', 'n\u0000ul', 'long'.repeat(70), '🙂', ' ', '\n'];
  const draw = () => { const p = r.next(); return p < 0.3 ? r.pick(linkDirs) : p < 0.55 ? '..' : p < 0.85 ? r.pick(names) : r.pick(odd); };
  const out: string[] = [];
  for (let i = r.int(1, 5); i > 0; i--) {
    let segment = draw();
    if (segment === '..' && !options.dotDotAfterLink && out.some((s) => linkDirs.includes(s))) segment = 'new.txt';
    out.push(segment);
  }
  return `${r.chance(0.8) ? world.sandbox : world.root}/${out.join('/')}${r.chance(0.1) ? '/' : ''}`;
}
