import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/cli/views/text-diff.js';

/** GNU diff's hunks for the same inputs: the reference our diff must match line for line. */
function gnuDiffHunks(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-diff-'));
  writeFileSync(join(dir, 'a'), before);
  writeFileSync(join(dir, 'b'), after);
  try {
    return execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  } catch (error) {
    return ((error as { stdout: string }).stdout).split('\n').slice(2).join('\n');
  }
}

const lines = (n: number, tag = '') => Array.from({ length: n }, (_, i) => `line ${i + 1}${tag}`).join('\n') + '\n';
const cases: [string, string, string][] = [
  ['one line changed in the middle', lines(20), lines(20).replace('line 10\n', 'line ten\n')],
  ['two distant changes make two hunks', lines(30), lines(30).replace('line 3\n', 'three\n').replace('line 27\n', 'twenty-seven\n')],
  ['lines added at the end', lines(5), `${lines(5)}extra 1\nextra 2\n`],
  ['lines removed at the start', lines(8), lines(8).split('\n').slice(2).join('\n')],
  ['created from nothing', '', lines(3)],
];

describe('unifiedDiff', () => {
  it.each(cases)('matches GNU diff -u: %s', (_name, before, after) => {
    const ours = unifiedDiff(before, after, { from: 'a', to: 'b' }).split('\n').slice(2).join('\n');
    expect(ours).toBe(gnuDiffHunks(before, after));
  });

  it('is empty for identical texts', () => {
    expect(unifiedDiff(lines(4), lines(4), { from: 'a', to: 'b' })).toBe('');
  });
});
