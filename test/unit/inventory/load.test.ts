import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lanmcp-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadInventory', () => {
  it('reads the file, names it as given, and resolves paths against its folder', async () => {
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site/inv.yaml'), 'version: 1\ndefaults: { ssh: { identity_file: keys/id, known_hosts: ~/kh } }\nhosts:\n  pi: { address: 10.0.0.1 }\n');
    const result = await loadInventory('site/inv.yaml', { cwd: dir, homeDir: '/home/me' });
    expect(result.diagnostics).toEqual([]);
    expect(result.devices?.[0]).toMatchObject({
      ssh: { identity_file: join(dir, 'site/keys/id'), known_hosts: '/home/me/kh' },
      source: { file: 'site/inv.yaml', line: 4, column: 3 },
    });
    expect(result.hub?.audit_log).toBe(join(dir, 'site/.lanmcp/audit.jsonl'));
  });

  it('throws E_INVENTORY_NOT_FOUND for a missing file, with a hint', async () => {
    await expect(loadInventory('missing.yaml', { cwd: dir })).rejects.toMatchObject({
      name: 'LanmcpError',
      code: 'E_INVENTORY_NOT_FOUND',
      message: 'inventory missing.yaml does not exist',
      hint: expect.stringContaining('lanmcp init'),
    });
  });

  it('throws E_INVENTORY_NOT_FOUND for a folder', async () => {
    await expect(loadInventory('.', { cwd: dir })).rejects.toMatchObject({ code: 'E_INVENTORY_NOT_FOUND', message: 'inventory . is a folder, not a file' });
  });
});
