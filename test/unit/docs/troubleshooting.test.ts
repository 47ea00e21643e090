import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/shared/errors.js';

const doc = readFileSync(new URL('../../../docs/troubleshooting.md', import.meta.url), 'utf8');
const sections = new Map(
  doc.split(/^## /m).slice(1).map((part) => [part.slice(0, part.indexOf('\n')).trim(), part] as const),
);

/** Diagnostic codes written literally in src/inventory (schema/* codes are also built from ajv keywords). */
function diagnosticCodesInSource(): string[] {
  const dir = new URL('../../../src/inventory/', import.meta.url);
  const text = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
  return [...new Set(text.match(/'(yaml|schema|rule)\/[a-z-]+'/g)?.map((m) => m.slice(1, -1)) ?? [])].sort();
}

describe('docs/troubleshooting.md', () => {
  it('has a section for every code in ERROR_CODES, saying what it means, why, and what to do', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !sections.has(code));
    expect(missing).toEqual([]);
    const thin = Object.keys(ERROR_CODES).filter((code) => !/\*\*Means:\*\*/.test(sections.get(code) ?? '') || !/\*\*What to do:\*\*/.test(sections.get(code) ?? ''));
    expect(thin).toEqual([]);
  });

  it('has no section for a code that does not exist', () => {
    const stale = [...sections.keys()].filter((title) => /^E_[A-Z_]+$/.test(title) && !(title in ERROR_CODES));
    expect(stale).toEqual([]);
  });

  it('documents the three diagnostic families and every diagnostic code the inventory code emits', () => {
    const diagnostics = sections.get('Inventory diagnostics') ?? '';
    for (const family of ['yaml/*', 'schema/*', 'rule/*']) expect(diagnostics).toContain(`\`${family}\``);
    const codes = diagnosticCodesInSource();
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.filter((code) => !diagnostics.includes(`\`${code}\``))).toEqual([]);
  });
});
