import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('every code in src/shared/errors.ts is documented in README.md', () => {
    const undocumented = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('README documents no code that does not exist', () => {
    const mentioned = new Set(readme.match(/`E_[A-Z_]+`/g)?.map((m) => m.slice(1, -1)) ?? []);
    const unknown = [...mentioned].filter((code) => !(code in ERROR_CODES));
    expect(unknown).toEqual([]);
  });
});
