// src/inventory/generated-types.ts is generated from the schema and committed; this fails when it is stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const generatorUrl = pathToFileURL(join(root, 'scripts/generate-types.mjs')).href;

interface Generator {
  generateInventoryTypes(schema: unknown): Promise<string>;
}

async function generator(): Promise<Generator> {
  return (await import(generatorUrl)) as Generator;
}

const schema = () => JSON.parse(readFileSync(join(root, 'schemas/inventory.schema.json'), 'utf8')) as Record<string, any>;
const committed = () => readFileSync(join(root, 'src/inventory/generated-types.ts'), 'utf8');

describe('generated inventory types', () => {
  it('match the schema (run `npm run gen:types` after editing the schema)', async () => {
    const fresh = await (await generator()).generateInventoryTypes(schema());
    expect(fresh === committed(), 'src/inventory/generated-types.ts is stale: run `npm run gen:types`').toBe(true);
  });

  it('would notice a schema change (the check above can fail)', async () => {
    const changed = schema();
    changed.$defs.ssh.properties.user.description = 'A changed description.';
    changed.$defs.edge.properties.nice = { description: 'A new key.', type: 'integer' };
    const fresh = await (await generator()).generateInventoryTypes(changed);
    expect(fresh).not.toBe(committed());
    expect(fresh).toContain('A changed description.');
    expect(fresh).toMatch(/nice\?: number;/);
  });

  it('turn the kind-dependent host into a union of both variants', () => {
    expect(committed()).toMatch(/export type Host = McpHost \| EdgeHost;/);
  });
});
