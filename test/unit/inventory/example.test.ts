// inventory.example.yaml is what `lanmcp init` writes and what newcomers read: it must validate cleanly
// and show every feature.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/index.js';

const text = readFileSync(join(import.meta.dirname, '../../../inventory.example.yaml'), 'utf8');
const result = parseInventory(text, 'inventory.example.yaml', { baseDir: '/home/me/lan', homeDir: '/home/me' });

describe('inventory.example.yaml', () => {
  it('points editors at the schema on its first line', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schemas/inventory.schema.json');
  });

  it('validates with no errors and no warnings', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.devices).toBeDefined();
  });

  it('covers every feature', () => {
    const devices = result.devices!;
    const byName = Object.fromEntries(devices.map((d) => [d.name, d]));
    const inventory = result.inventory!;
    expect(Object.keys(result.groups!)).toContain('pis');
    expect(byName.homeassistant).toMatchObject({ kind: 'mcp', auth: { bearer_env: 'HA_TOKEN' } });
    expect(devices.some((d) => d.state === 'absent')).toBe(true);
    expect(devices.some((d) => d.kind === 'edge' && d.edge.policy.read_only)).toBe(true);
    expect(devices.some((d) => d.kind === 'edge' && d.address.includes(':'))).toBe(true);
    expect(inventory.hub).toMatchObject({ listen: expect.any(String), public_url: expect.any(String), host: expect.any(String) });
    expect(inventory.hub?.tls).toBeDefined();
    const ubuntu = inventory.hosts['ubuntu-box'];
    expect(ubuntu && 'ssh' in ubuntu && ubuntu.ssh && ubuntu.edge).toBeTruthy();
    expect(inventory.defaults?.ssh && inventory.defaults.edge?.policy).toBeTruthy();
  });

  it('explains itself in comments', () => {
    expect(text.split('\n').filter((line) => line.includes('#')).length).toBeGreaterThan(40);
  });
});
