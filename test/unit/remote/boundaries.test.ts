import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// STYLE.md: ssh.ts is the only file importing node-ssh (or the ssh2 it wraps); everything else in
// lanmcp reaches devices through the Connector interface. The parsing and deciding parts of remote/
// are pure, so their unit tests need no disk, network or processes.
const src = new URL('../../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the SSH library boundary', () => {
  it('only src/remote/ssh.ts imports node-ssh or ssh2', () => {
    const importers = files(src)
      .filter((file) => /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](node-ssh|ssh2)(\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file));
    expect(importers).toEqual(['remote/ssh.ts']);
  });

  it('the pure parts of remote/ import no I/O module', () => {
    const pure = ['shell.ts', 'known-hosts.ts', 'host-key-check.ts', 'ssh-config.ts', 'ssh-config-resolve.ts', 'ssh-errors.ts', 'connector.ts'];
    const io = /from\s+['"](node:fs|node:fs\/promises|node:child_process|node:net|node:os|node-ssh|ssh2)['"]/;
    const offenders = pure.filter((name) => io.test(readFileSync(join(src, 'remote', name), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
