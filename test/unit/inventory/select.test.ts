import { describe, expect, it } from 'vitest';
import { parseInventory, selectDevices } from '../../../src/inventory/index.js';

const result = parseInventory(
  `version: 1
groups:
  pis: { hosts: [kitchen-pi, garage-pi] }
  servers: { hosts: [nas] }
hosts:
  kitchen-pi: { address: 10.0.0.21, tags: [audio] }
  garage-pi: { address: 10.0.0.22, tags: [audio, camera] }
  nas: { address: 10.0.0.30, tags: [storage] }
  ha: { kind: mcp, url: "http://10.0.0.5:8123/api/mcp", tags: [home] }
`,
  'inventory.yaml',
);
const devices = result.devices!;
const groups = result.groups!;
const names = (limit: string | undefined) => selectDevices(devices, limit, groups).devices.map((d) => d.name);

describe('selectDevices', () => {
  it('selects everything without a limit and with `all`', () => {
    expect(names(undefined)).toEqual(['kitchen-pi', 'garage-pi', 'nas', 'ha']);
    expect(names('all')).toEqual(['kitchen-pi', 'garage-pi', 'nas', 'ha']);
  });

  it('matches a name, a group and a tag', () => {
    expect(names('nas')).toEqual(['nas']);
    expect(names('pis')).toEqual(['kitchen-pi', 'garage-pi']);
    expect(names('camera')).toEqual(['garage-pi']);
  });

  it('matches globs with * and ?', () => {
    expect(names('*-pi')).toEqual(['kitchen-pi', 'garage-pi']);
    expect(names('n?s')).toEqual(['nas']);
    expect(names('serv*')).toEqual(['nas']);
  });

  it('takes comma-separated lists in inventory order, without duplicates', () => {
    expect(names('ha, pis,audio')).toEqual(['kitchen-pi', 'garage-pi', 'ha']);
  });

  it('leaves out !patterns', () => {
    expect(names('pis,!camera')).toEqual(['kitchen-pi']);
    expect(names('!pis')).toEqual(['nas', 'ha']);
  });

  it('reports a pattern matching nothing as E_LIMIT_NO_MATCH at its column, with a suggestion', () => {
    const selection = selectDevices(devices, 'pis, kitchen-py', groups);
    expect(selection.devices).toEqual([]);
    expect(selection.diagnostics).toEqual([
      {
        code: 'E_LIMIT_NO_MATCH',
        severity: 'error',
        message: '--limit pattern "kitchen-py" matches no host, group or tag',
        file: '--limit',
        line: 1,
        column: 6,
        path: 'kitchen-py',
        hint: 'did you mean "kitchen-pi"?',
      },
    ]);
  });

  it('reports unknown globs and a limit that leaves nothing', () => {
    expect(selectDevices(devices, 'x*', groups).diagnostics.map((d) => d.code)).toEqual(['E_LIMIT_NO_MATCH']);
    const empty = selectDevices(devices, 'nas,!storage', groups);
    expect(empty.devices).toEqual([]);
    expect(empty.diagnostics[0]?.message).toBe('--limit "nas,!storage" selects no device');
  });
});
