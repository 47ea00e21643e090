// The inventory core is pure: only load.ts may touch the disk or the environment.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const folder = join(import.meta.dirname, '../../../src/inventory');
const IMPURE = /from '(node:fs|node:fs\/promises|node:child_process|node:os|node:net|node-ssh|fastify|listr2|@modelcontextprotocol\/sdk[^']*)'/;

describe('src/inventory', () => {
  it('touches the world only in load.ts', () => {
    const offenders = readdirSync(folder)
      .filter((file) => file.endsWith('.ts') && file !== 'load.ts')
      .filter((file) => IMPURE.test(readFileSync(join(folder, file), 'utf8')) || /process\.(cwd|env)/.test(readFileSync(join(folder, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
