// What the Ansible side of bench/provision.ts needs, derived from lanmcp's own rendering so the playbook
// puts byte-identical files on the devices: the two Jinja templates (config.json, the unit) and an
// inventory with each host's token hash and the hashes its receipt records.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Artifacts } from '../../src/apply/artifacts.js';
import type { EdgeDevice } from '../../src/inventory/types.js';
import { buildDesiredEdge } from '../../src/plan/desired.js';
import { EDGE_LAYOUT } from '../../src/plan/layout.js';
import { sha256Hex } from '../../src/shared/hash.js';

/** A device the playbook provisions, with the SHA-256 of the token its edge config must carry. */
export interface AnsibleHost {
  device: EdgeDevice;
  tokenSha256: string;
}

export interface AnsibleRun {
  templates: { 'config.json.j2': string; 'lanmcp-edge.service.j2': string };
  /** The YAML inventory for `ansible-playbook -i`. */
  inventory: string;
  /** Per device, the exact text lanmcp renders (what the devices must carry after the playbook). */
  expected: Record<string, { config: string; unit: string }>;
}

export interface AnsibleSsh {
  sshKey: string;
  knownHosts: string;
  bundlePath: string;
}

// The only values that differ between devices; everything else in both files is shared text.
const SUBSTITUTIONS: Array<{ jinja: string; value: (host: AnsibleHost) => string }> = [
  { jinja: '{{ token_sha256 }}', value: (h) => h.tokenSha256 },
  { jinja: '{{ edge_address }}', value: (h) => h.device.address },
  { jinja: '{{ inventory_hostname }}', value: (h) => h.device.name },
];

/** Pure: templates, inventory and expected texts for these hosts (at least two, to check the derivation). */
export function renderAnsibleRun(hosts: readonly AnsibleHost[], artifacts: Artifacts, ssh: AnsibleSsh): AnsibleRun {
  if (hosts.length < 2) throw new Error(`the Ansible templates are derived from at least 2 devices, got ${hosts.length}`);
  const expected = Object.fromEntries(hosts.map((h) => [h.device.name, renderedTexts(h, artifacts)]));
  const texts = (key: 'config' | 'unit') => hosts.map((h) => expected[h.device.name]![key]);
  return {
    templates: { 'config.json.j2': deriveTemplate('config.json', texts('config'), hosts), 'lanmcp-edge.service.j2': deriveTemplate('lanmcp-edge.service', texts('unit'), hosts) },
    inventory: renderInventory(hosts, artifacts, ssh, expected),
    expected,
  };
}

/** Writes the templates next to the playbook and the inventory into `runDir`; returns the inventory path. */
export async function writeAnsibleRun(run: AnsibleRun, playbookDir: string, runDir: string): Promise<string> {
  await mkdir(join(playbookDir, 'templates'), { recursive: true });
  for (const [name, text] of Object.entries(run.templates)) await writeFile(join(playbookDir, 'templates', name), text);
  await mkdir(runDir, { recursive: true });
  const inventory = join(runDir, 'hosts.yml');
  await writeFile(inventory, run.inventory);
  return inventory;
}

function renderedTexts(host: AnsibleHost, artifacts: Artifacts): { config: string; unit: string } {
  const desired = buildDesiredEdge(host.device, artifacts, { sha256: host.tokenSha256, status: 'stored' }, '/usr/bin/node');
  const text = (path: string) => {
    const file = desired.files.find((f) => f.path === path);
    if (file?.source.kind !== 'text') throw new Error(`lanmcp renders no text for ${path} on ${host.device.name}`);
    return file.source.text;
  };
  return { config: text(EDGE_LAYOUT.config.path), unit: text(EDGE_LAYOUT.unit.path) };
}

/**
 * The first host's text with its own values replaced by Jinja expressions, proven right by rendering it
 * back (by plain substitution, as Jinja would) for every host and comparing with lanmcp's text.
 */
function deriveTemplate(what: string, texts: readonly string[], hosts: readonly AnsibleHost[]): string {
  const first = texts[0]!;
  const delimiter = /\{\{|\{%|\{#/.exec(first);
  if (delimiter) throw new Error(`lanmcp's ${what} contains the Jinja delimiter ${delimiter[0]}: it cannot be used as a template as is`);
  let template = first;
  for (const sub of SUBSTITUTIONS) template = template.replace(wholeValue(sub.value(hosts[0]!)), sub.jinja);
  hosts.forEach((host, index) => {
    let rendered = template;
    for (const sub of SUBSTITUTIONS) rendered = rendered.split(sub.jinja).join(sub.value(host));
    if (rendered !== texts[index]) {
      throw new Error(`the ${what} template derived from ${hosts[0]!.device.name} does not reproduce lanmcp's ${what} for ${host.device.name}: a per-device value other than name, address and token hash differs`);
    }
  });
  return template;
}

function wholeValue(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9._-])${escaped}(?![A-Za-z0-9_-])`, 'g');
}

function renderInventory(hosts: readonly AnsibleHost[], artifacts: Artifacts, ssh: AnsibleSsh, expected: AnsibleRun['expected']): string {
  const hostVars = Object.fromEntries(hosts.map((h) => [h.device.name, {
    ansible_host: h.device.address,
    edge_address: h.device.address,
    token_sha256: h.tokenSha256,
    config_sha256: sha256Hex(expected[h.device.name]!.config),
    unit_sha256: sha256Hex(expected[h.device.name]!.unit),
  }]));
  const ports = new Set(hosts.map((h) => h.device.edge.port));
  if (ports.size !== 1) throw new Error(`the playbook assumes one edge port for all devices, the inventory has ${[...ports].join(', ')}`);
  const vars = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: ssh.sshKey,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${ssh.knownHosts} -o StrictHostKeyChecking=yes`,
    edge_bundle: ssh.bundlePath,
    edge_port: [...ports][0],
    bundle_sha256: artifacts.bundleSha256,
    lanmcp_version: artifacts.version,
  };
  return `# Generated by bench/ansible/prepare.ts for one benchmark run.\n${stringify({ edges: { hosts: hostVars, vars } })}`;
}
