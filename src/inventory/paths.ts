// Inventory paths mean "relative to the inventory's folder", with `~` for the home folder, wherever
// lanmcp is started from. Pure: the folders come in as data.
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import type { PathContext } from './types.js';

/** `~/x` → `<home>/x`; `keys/id` → `<baseDir>/keys/id`; absolute paths are only normalized. */
export function expandPath(path: string, context: PathContext): string {
  if (path === '~' || path.startsWith('~/')) {
    if (context.homeDir === undefined) return path;
    return join(context.homeDir, path.slice(1));
  }
  if (isAbsolute(path)) return normalize(path);
  // resolve() would consult the working directory for a relative base; join() keeps this function pure.
  return isAbsolute(context.baseDir) ? resolve(context.baseDir, path) : join(context.baseDir, path);
}

/** `.lanmcp/` next to the inventory: tokens, recorded host keys, client tokens, the apply lock, the audit log. */
export function stateDirOf(inventoryFile: string, cwd: string): string {
  return join(dirname(resolve(cwd, inventoryFile)), '.lanmcp');
}
