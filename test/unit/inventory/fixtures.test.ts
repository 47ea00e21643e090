// One generic runner over test/fixtures/inventory: every invalid/NAME.yaml must yield exactly the
// diagnostics (code, severity, line, column, path) in NAME.expected.json; every valid/NAME.yaml must
// resolve to NAME.expected.json ({devices, hub, groups, diagnostics}).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/index.js';

const root = join(import.meta.dirname, '../../fixtures/inventory');
const OPTIONS = { baseDir: '/srv/inventory', homeDir: '/home/admin' };

function fixtures(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(join(root, kind))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.slice(0, -'.yaml'.length))
    .sort();
}

function load(kind: string, name: string) {
  const bytes = readFileSync(join(root, kind, `${name}.yaml`));
  const expected: unknown = JSON.parse(readFileSync(join(root, kind, `${name}.expected.json`), 'utf8'));
  return { result: parseInventory(bytes, `${name}.yaml`, OPTIONS), expected };
}

function failureText(expected: unknown, actual: unknown): string {
  return `\nexpected:\n${JSON.stringify(expected, null, 2)}\nactual:\n${JSON.stringify(actual, null, 2)}\n`;
}

describe('invalid inventories', () => {
  it('has at least 30 scenarios', () => {
    expect(fixtures('invalid').length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures('invalid'))('%s', (name) => {
    const { result, expected } = load('invalid', name);
    const actual = result.diagnostics.map(({ code, severity, line, column, path }) => ({ code, severity, line, column, path }));
    expect(actual, failureText(expected, actual)).toEqual(expected);
    expect(result.devices).toBeUndefined();
    for (const d of result.diagnostics) {
      expect(d.file).toBe(`${name}.yaml`);
      expect(d.message.length).toBeGreaterThan(10);
    }
  });
});

describe('valid inventories', () => {
  it.each(fixtures('valid'))('%s', (name) => {
    const { result, expected } = load('valid', name);
    const actual = { devices: result.devices, hub: result.hub, groups: result.groups, diagnostics: result.diagnostics };
    expect(actual, failureText(expected, actual)).toEqual(expected);
  });
});
