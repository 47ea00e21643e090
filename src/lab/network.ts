import { existsSync } from 'node:fs';
import { bridgeAddress, bridgeName, deviceAddress, netnsName, parseUsedSubnetIndexes, vethName } from './addressing.js';
import { labStepFailed, runCommand } from './run.js';

/**
 * The lab's private network: one bridge on the host holding the .1 address, and per device a network
 * namespace with one veth into that bridge. No default route, no NAT, ip_forward untouched: a device can
 * reach this machine's bridge address and its sibling devices, nothing else.
 */

/** Subnet indexes already carried by addresses on this machine's links. */
export async function loadUsedSubnetIndexes(): Promise<number[]> {
  const { stdout } = await runCommand(['ip', '-o', '-4', 'addr', 'show']);
  return parseUsedSubnetIndexes(stdout);
}

/** Creates the lab's bridge with its address, unless it is already there. */
export async function ensureBridge(lab: string, subnetIndex: number): Promise<void> {
  const bridge = bridgeName(lab);
  if (linkExists(bridge)) return;
  try {
    await runCommand(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    await runCommand(['ip', 'addr', 'add', bridgeAddress(subnetIndex), 'dev', bridge]);
    await runCommand(['ip', 'link', 'set', bridge, 'up']);
  } catch (cause) {
    throw labStepFailed(`creating bridge ${bridge}`, cause);
  }
}

/** A fresh namespace for one device, its `eth0` plugged into the lab bridge; replaces any leftover one. */
export async function createDeviceNetwork(lab: string, subnetIndex: number, device: string, ordinal: number): Promise<void> {
  await deleteDeviceNetwork(lab, device, ordinal);
  const ns = netnsName(lab, device);
  const veth = vethName(lab, ordinal);
  const address = `${deviceAddress(subnetIndex, ordinal)}/24`;
  try {
    await runCommand(['ip', 'netns', 'add', ns]);
    await runCommand(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await runCommand(['ip', 'link', 'set', veth, 'master', bridgeName(lab), 'up']);
    const inside = `addr add ${address} dev eth0\nlink set eth0 up\nlink set lo up\n`;
    await runCommand(['ip', '-n', ns, '-batch', '-'], { input: inside });
  } catch (cause) {
    throw labStepFailed(`creating the network of ${device} (namespace ${ns})`, cause);
  }
}

/** Removes a device's veth, then its namespace (in that order: the namespace side is freed lazily). */
export async function deleteDeviceNetwork(lab: string, device: string, ordinal: number): Promise<void> {
  const veth = vethName(lab, ordinal);
  if (linkExists(veth)) await runCommand(['ip', 'link', 'delete', veth]);
  const ns = netnsName(lab, device);
  if (existsSync(`/run/netns/${ns}`)) await runCommand(['ip', 'netns', 'delete', ns]);
}

export async function deleteBridge(lab: string): Promise<void> {
  const bridge = bridgeName(lab);
  if (linkExists(bridge)) await runCommand(['ip', 'link', 'delete', bridge]);
}

/** Names of namespaces left by a lab (`lanmcp-<lab>-<device>`), from /run/netns. */
export async function listLabNamespaces(lab: string): Promise<string[]> {
  const { stdout } = await runCommand(['ip', 'netns', 'list']);
  const prefix = netnsName(lab, '');
  return stdout.split('\n').map((line) => line.split(' ')[0] ?? '').filter((name) => name.startsWith(prefix));
}

/** Names of links that belong to a lab: its bridge and its devices' veths. */
export async function listLabLinks(lab: string): Promise<string[]> {
  const { stdout } = await runCommand(['ip', '-o', 'link', 'show']);
  const names = stdout.split('\n').map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '');
  const veth = new RegExp(`^${vethName(lab, 0).slice(0, -1)}\\d+$`);
  return names.filter((name) => name === bridgeName(lab) || veth.test(name));
}

function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}
