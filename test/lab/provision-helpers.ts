import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAgentFetch, type AgentFetch } from '../../src/hub/upstreams/agent-fetch.js';
import { getLab, labDevice } from './lab-helpers.js';
import { runLanmcp, type CliRun } from '../support/cli.js';

export interface InventoryHost {
  name: string;
  address?: string;
  /** Extra YAML flow-mapping entries for this host, e.g. `ssh: { user: deploy }`. */
  extra?: string;
}

/**
 * A fresh folder with an inventory for the given lab devices (so `.lanmcp/` with its tokens is private to
 * the test). Devices use the lab's key and known_hosts unless `extra` overrides them.
 */
export function writeLabInventory(hosts: InventoryHost[], options: { defaultsEdge?: string; hubListen?: string } = {}): string {
  const lab = getLab();
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-provision-'));
  const lines = hosts.map((host) => {
    const address = host.address ?? lab.devices.find((d) => d.name === host.name)?.address;
    if (!address) throw new Error(`no lab device ${host.name} and no address given`);
    return `  ${host.name}: { address: ${address}${host.extra ? `, ${host.extra}` : ''} }`;
  });
  const text = [
    'version: 1',
    ...(options.hubListen ? [`hub: { listen: "${options.hubListen}" }`] : []),
    'defaults:',
    `  ssh: { user: root, identity_file: ${lab.ssh_key}, known_hosts: ${lab.known_hosts}, connect_timeout_s: 4 }`,
    ...(options.defaultsEdge ? [`  edge: ${options.defaultsEdge}`] : []),
    'hosts:',
    ...lines,
    '',
  ].join('\n');
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, text);
  return file;
}

export type { CliRun };

/** Runs a lanmcp command in-process, as the CLI would, with output captured. */
export function lanmcp(...argv: string[]): Promise<CliRun> {
  return runLanmcp(argv);
}

/** `lanmcp diff --json` parsed. */
export async function diffJson(inventory: string, ...extra: string[]) {
  const run = await lanmcp('diff', '-i', inventory, '--json', ...extra);
  return { ...run, plan: JSON.parse(run.stdout) as import('../../src/plan/types.js').Plan };
}

/**
 * An applied edge the way the hub reaches it: `https://ADDRESS:8766` and a fetch pinned to the key that
 * apply stored in .lanmcp/ (edges serve TLS by default). Close it when done.
 */
export function pinnedEdge(inventory: string, device: string): { base: string; fetch: AgentFetch; close(): void } {
  const pin = readFileSync(join(dirname(inventory), '.lanmcp', 'tokens', `${device}.pin`), 'utf8').trim();
  const net = createAgentFetch(pin);
  return { base: `https://${labDevice(device).address}:8766`, fetch: net.fetch, close: net.close };
}
