import { posix } from 'node:path';
import { ALLOWED, refuse, type Decision } from './policy.js';
import type { System } from './system.js';

/** The protected entry that `path` is, or lies under; undefined when it touches none. */
export function protectedEntry(path: string, protectedPaths: readonly string[]): string | undefined {
  return protectedPaths.find((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Where a write to `path` really lands: the path with `..` folded, and again with every symlink in its
 * existing ancestors resolved (and the file's own link target, when it is one). A write is refused when
 * any of these is protected, so neither `..` nor a symlink leads into the edge's own files.
 */
export async function resolveWriteTargets(system: System, path: string): Promise<string[]> {
  const lexical = posix.resolve('/', path);
  const targets = new Set([lexical]);
  const own = await realpathOrUndefined(system, lexical);
  if (own) targets.add(own);
  let dir = lexical;
  const rest: string[] = [];
  while (dir !== '/') {
    rest.unshift(posix.basename(dir));
    dir = posix.dirname(dir);
    const real = await realpathOrUndefined(system, dir);
    if (real) {
      targets.add(posix.join(real, ...rest));
      break;
    }
  }
  return [...targets];
}

/**
 * Refuses a write (write_file) into a protected path, checking both protected paths and their real paths.
 * A path with `.` or `..` segments is refused outright: the kernel applies `..` after following a symlink
 * (`/tmp/link/../x` may land beside the link's target), so no lexical folding can predict where it lands.
 */
export async function decideWrite(system: System, path: string, protectedPaths: readonly string[]): Promise<Decision> {
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return refuse('protected_paths', `${path} has "." or ".." segments; pass the absolute path without them (a ".." after a symlink could lead into the edge's own files)`);
  }
  const guarded = await withRealPaths(system, protectedPaths);
  for (const target of await resolveWriteTargets(system, path)) {
    const entry = protectedEntry(target, guarded);
    if (entry) return refuse('protected_paths', `${target} is inside ${entry}, one of the edge's own files`);
  }
  return ALLOWED;
}

/** Guardrail for run_command: a command naming one of the edge's own paths is refused. */
export function decideCommandText(words: readonly string[], protectedPaths: readonly string[]): Decision {
  const hit = protectedPaths.find((p) => words.some((w) => w.includes(p)));
  return hit ? refuse('protected_paths', `the command names ${hit}, one of the edge's own files`) : ALLOWED;
}

async function withRealPaths(system: System, paths: readonly string[]): Promise<string[]> {
  const reals = await Promise.all(paths.map((p) => realpathOrUndefined(system, p)));
  return [...new Set([...paths, ...reals.filter((p): p is string => p !== undefined)])];
}

async function realpathOrUndefined(system: System, path: string): Promise<string | undefined> {
  try {
    return await system.realpath(path);
  } catch {
    return undefined;
  }
}
