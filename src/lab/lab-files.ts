import { deviceAddress, deviceName } from './addressing.js';

/** One device as the lab reports it (the `devices` rows of `lanmcp lab up --json`). */
export interface LabDevice {
  name: string;
  address: string;
  ssh_user: string;
}

export interface InventoryInput {
  schemaPath: string;
  sshKey: string;
  knownHosts: string;
  subnetIndex: number;
  ordinals: readonly number[];
}

/** The rows for devices `ordinals` of the lab on subnet `subnetIndex`. */
export function labDevices(subnetIndex: number, ordinals: readonly number[]): LabDevice[] {
  return ordinals.map((ordinal) => ({ name: deviceName(ordinal), address: deviceAddress(subnetIndex, ordinal), ssh_user: 'root' }));
}

/** The ready-to-use inventory for the lab's devices, in the shape the inventory schema validates. */
export function renderInventory(input: InventoryInput): string {
  const hosts = input.ordinals.map((ordinal) => {
    const description = `lab device ${ordinal} (systemd-nspawn, Debian bookworm)`;
    return `  ${deviceName(ordinal)}: { address: ${deviceAddress(input.subnetIndex, ordinal)}, description: ${JSON.stringify(description)}, tags: [lab] }`;
  });
  return [
    `# yaml-language-server: $schema=${input.schemaPath}`,
    '# Written by `lanmcp lab up`: the devices of a local lab (see `lanmcp lab status`).',
    'version: 1',
    'hub: { listen: 127.0.0.1:8765 }',
    'defaults:',
    `  ssh: { user: root, identity_file: ${input.sshKey}, known_hosts: ${input.knownHosts} }`,
    'hosts:',
    ...hosts,
    '',
  ].join('\n');
}

/** known_hosts lines: each device's host key under its address and its name. */
export function renderKnownHosts(entries: ReadonlyArray<{ name: string; address: string; publicKey: string }>): string {
  return entries.map((entry) => {
    const [type, key] = entry.publicKey.trim().split(/\s+/);
    return `${entry.address},${entry.name} ${type} ${key}\n`;
  }).join('');
}
