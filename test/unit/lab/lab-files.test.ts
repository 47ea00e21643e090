import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/index.js';
import { labDevices, renderInventory, renderKnownHosts } from '../../../src/lab/lab-files.js';

const schemaPath = new URL('../../../schemas/inventory.schema.json', import.meta.url).pathname;
const input = { schemaPath, sshKey: '/var/lib/lanmcp-lab/t/ssh/id_ed25519', knownHosts: '/var/lib/lanmcp-lab/t/known_hosts', subnetIndex: 2, ordinals: [1, 2] };

describe('lab files', () => {
  it('renders the inventory in the agreed shape', () => {
    expect(renderInventory(input)).toBe(`# yaml-language-server: $schema=${schemaPath}
# Written by \`lanmcp lab up\`: the devices of a local lab (see \`lanmcp lab status\`).
version: 1
hub: { listen: 127.0.0.1:8765 }
defaults:
  ssh: { user: root, identity_file: /var/lib/lanmcp-lab/t/ssh/id_ed25519, known_hosts: /var/lib/lanmcp-lab/t/known_hosts }
hosts:
  lab1: { address: 10.77.2.11, description: "lab device 1 (systemd-nspawn, Debian bookworm)", tags: [lab] }
  lab2: { address: 10.77.2.12, description: "lab device 2 (systemd-nspawn, Debian bookworm)", tags: [lab] }
`);
  });

  it('renders an inventory that the project schema and rules accept, for 50 devices', () => {
    const text = renderInventory({ ...input, ordinals: Array.from({ length: 50 }, (_, i) => i + 1) });
    const result = parseInventory(text, '/var/lib/lanmcp-lab/t/inventory.yaml');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.devices?.map((d) => d.name)).toHaveLength(50);
    expect(result.devices?.[49]).toMatchObject({ name: 'lab50', address: '10.77.2.60' });
  });

  it('lists each device in known_hosts under its address and its name', () => {
    const text = renderKnownHosts([{ name: 'lab1', address: '10.77.0.11', publicKey: 'ssh-ed25519 AAAAkey root@lab1\n' }]);
    expect(text).toBe('10.77.0.11,lab1 ssh-ed25519 AAAAkey\n');
  });

  it('reports devices as root logins', () => {
    expect(labDevices(0, [3])).toEqual([{ name: 'lab3', address: '10.77.0.13', ssh_user: 'root' }]);
  });
});
