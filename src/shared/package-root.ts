import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * lanmcp's own folder (the one with its package.json), found by walking up from a module's URL. Works from
 * the source tree (src/x/y.ts), the build (dist/cli.mjs) and an installed package alike.
 */
export function findPackageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`lanmcp's package.json was not found above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
  return dir;
}
