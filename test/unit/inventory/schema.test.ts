// The schema is what editors show on hover: every property must explain itself, and no object may
// silently accept unknown keys (a typo must be an error, not an ignored setting).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Schema = Record<string, any>;
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas/inventory.schema.json'), 'utf8')) as Schema;

function deref(node: Schema): Schema {
  const ref = node.$ref as string | undefined;
  return ref ? (schema.$defs[ref.replace('#/$defs/', '')] as Schema) : node;
}

/** Every sub-schema with its JSON pointer. */
function walk(node: unknown, pointer: string, visit: (node: Schema, pointer: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${pointer}/${i}`, visit));
  visit(node as Schema, pointer);
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'const' && key !== 'enum' && key !== 'default') walk(value, `${pointer}/${key}`, visit);
  }
}

describe('inventory schema', () => {
  it('is JSON Schema 2020-12', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every property and every definition', () => {
    const missing: string[] = [];
    walk(schema, '#', (node, pointer) => {
      for (const [name, property] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
        if (!property.description && !deref(property).description) missing.push(`${pointer}/properties/${name}`);
      }
    });
    for (const [name, def] of Object.entries(schema.$defs as Record<string, Schema>)) {
      if (!def.description) missing.push(`#/$defs/${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('closes every object with properties (additionalProperties: false)', () => {
    const open: string[] = [];
    walk(schema, '#', (node, pointer) => {
      if (node.properties && pointer.endsWith('/if') === false && node.additionalProperties !== false) open.push(pointer);
    });
    expect(open).toEqual([]);
  });

  it('checks the names used as map keys', () => {
    expect(schema.properties.hosts.propertyNames).toEqual({ $ref: '#/$defs/deviceName' });
    expect(schema.properties.groups.propertyNames).toEqual({ $ref: '#/$defs/groupName' });
    expect(new RegExp(schema.$defs.deviceName.pattern).test('kitchen-pi')).toBe(true);
    expect(new RegExp(schema.$defs.deviceName.pattern).test('Kitchen-Pi')).toBe(false);
    expect(new RegExp(schema.$defs.deviceName.pattern).test(`a${'b'.repeat(31)}`)).toBe(false);
  });
});
