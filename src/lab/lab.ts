import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LanmcpError } from '../shared/errors.js';
import { DEFAULT_LAB, checkDeviceCount, checkLabName, deviceAddress, deviceName, pickSubnetIndex } from './addressing.js';
import { runningSupervisor, startDevice, stopDevice, type BootTarget } from './boot.js';
import { devicePaths, ensureHostKey, prepareOverlay } from './device.js';
import { prepareHost } from './host-setup.js';
import { labDevices, renderInventory, renderKnownHosts, type LabDevice } from './lab-files.js';
import { mapWithLimit } from '../shared/concurrency.js';
import { createDeviceNetwork, ensureBridge, loadUsedSubnetIndexes } from './network.js';
import { waitForSsh } from './ready.js';
import { LAB_RECIPE } from './recipe.js';
import { ensureLabRequirements } from './requirements.js';
import { ensureRootfs } from './rootfs.js';
import {
  claimSubnet, ensureClientKey, labPaths, listDeviceOrdinals, listLabStates, loadClaimedSubnets, loadLabState, saveLabState,
  writeAtomically, type LabState,
} from './state.js';

/** A running lab, as `lanmcp lab up --json` and the test helpers describe it. */
export interface LabInfo {
  name: string;
  state_dir: string;
  inventory: string;
  devices: LabDevice[];
  known_hosts: string;
  ssh_key: string;
}

export interface LabUpOptions {
  name?: string;
  /** How many devices the lab should have at least (default 3); a running lab only grows. */
  devices?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

const BOOT_TIMEOUT_MS = 90_000;

/**
 * Brings a lab up (or grows it): requirements, golden rootfs, bridge, then every missing device booted in
 * parallel; returns once every device answers SSH, with known_hosts and the inventory written.
 */
export async function upLab(options: LabUpOptions = {}): Promise<LabInfo> {
  const name = checkLabName(options.name ?? DEFAULT_LAB);
  const wanted = checkDeviceCount(options.devices ?? 3);
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  await ensureLabRequirements(env, log);
  // The state first: a `lab down` of another lab meanwhile then sees this one and keeps the host's tmpfs.
  const state = await ensureLabState(name, env, log);
  await prepareHost();
  const paths = labPaths(name);
  const clientKey = await ensureClientKey(paths);
  await ensureBridge(name, state.subnet_index);
  const existing = await listDeviceOrdinals(name);
  const ordinals = range(Math.max(wanted, ...existing));
  const booted = (await mapWithLimit(ordinals, 8, (ordinal) => ensureDeviceRunning(state, ordinal, clientKey))).filter(Boolean);
  if (booted.length > 0) log(`booting ${booted.length === 1 ? '1 device' : `${booted.length} devices`} of lab "${name}" ...`);
  await mapWithLimit(ordinals, 32, (ordinal) => {
    const device = deviceName(ordinal);
    return waitForSsh(device, deviceAddress(state.subnet_index, ordinal), devicePaths(paths.dir, device), BOOT_TIMEOUT_MS);
  });
  await writeLabFiles(state, ordinals);
  return labInfo(state, ordinals);
}

/** Resets one device to the golden image (same host key) and boots it again; resolves once SSH answers. */
export async function freshDevice(labName: string, device: string): Promise<void> {
  const state = await requireLabState(labName);
  const info = labInfo(state, await listDeviceOrdinals(labName));
  const row = info.devices.find((d) => d.name === device);
  if (!row) throw new LanmcpError('E_USAGE', `lab "${labName}" has no device "${device}"`, { hint: `its devices: ${info.devices.map((d) => d.name).join(', ')}` });
  const target = bootTarget(state, device);
  await stopDevice(target, 0);
  await prepareOverlay(state.rootfs, target.paths, device, await ensureClientKey(labPaths(labName)));
  await startDevice(target);
  await waitForSsh(device, row.address, target.paths, BOOT_TIMEOUT_MS);
}

/** The info of a lab that has state, or E_LAB_NOT_RUNNING. */
export async function requireLabState(name: string): Promise<LabState> {
  const state = await loadLabState(checkLabName(name));
  if (state) return state;
  throw new LanmcpError('E_LAB_NOT_RUNNING', `lab "${name}" is not running`, { hint: `start it with \`lanmcp lab up --name ${name}\`` });
}

export function labInfo(state: LabState, ordinals: readonly number[]): LabInfo {
  const paths = labPaths(state.name);
  return {
    name: state.name,
    state_dir: paths.dir,
    inventory: paths.inventory,
    devices: labDevices(state.subnet_index, ordinals),
    known_hosts: paths.knownHosts,
    ssh_key: paths.sshKey,
  };
}

export function bootTarget(state: LabState, device: string): BootTarget {
  return { lab: state.name, device, paths: devicePaths(labPaths(state.name).dir, device) };
}

async function ensureLabState(name: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<LabState> {
  const existing = await loadLabState(name);
  if (existing && existsSync(existing.rootfs)) return existing;
  const rootfs = await ensureRootfs(LAB_RECIPE, env, log);
  if (existing) {
    await saveLabState({ ...existing, rootfs });
    return { ...existing, rootfs };
  }
  const state: LabState = { name, subnet_index: await allocateSubnet(name), rootfs, created_at: new Date().toISOString() };
  await saveLabState(state);
  return state;
}

// The lowest subnet no lab, claim or host address uses, claimed atomically against concurrent `up`s.
async function allocateSubnet(name: string): Promise<number> {
  const used = new Set([
    ...(await listLabStates()).filter((s) => s.name !== name).map((s) => s.subnet_index),
    ...(await loadClaimedSubnets(name)),
    ...(await loadUsedSubnetIndexes()),
  ]);
  for (;;) {
    const index = pickSubnetIndex(name, used);
    if (await claimSubnet(name, index)) return index;
    used.add(index);
  }
}

// Boots the device unless its supervisor runs; true when it booted it.
async function ensureDeviceRunning(state: LabState, ordinal: number, clientKey: string): Promise<boolean> {
  const device = deviceName(ordinal);
  const target = bootTarget(state, device);
  if ((await runningSupervisor(target.paths)) !== undefined) return false;
  await stopDevice(target, 0); // whatever a crashed device left behind
  await ensureHostKey(target.paths, device);
  await createDeviceNetwork(state.name, state.subnet_index, device, ordinal);
  await prepareOverlay(state.rootfs, target.paths, device, clientKey);
  await startDevice(target);
  return true;
}

async function writeLabFiles(state: LabState, ordinals: readonly number[]): Promise<void> {
  const paths = labPaths(state.name);
  const entries = await Promise.all(labDevices(state.subnet_index, ordinals).map(async (device) => ({
    ...device,
    publicKey: await ensureHostKey(bootTarget(state, device.name).paths, device.name),
  })));
  await writeAtomically(paths.knownHosts, renderKnownHosts(entries));
  const inventory = renderInventory({
    schemaPath: schemaPath(), sshKey: paths.sshKey, knownHosts: paths.knownHosts, subnetIndex: state.subnet_index, ordinals,
  });
  await writeAtomically(paths.inventory, inventory);
}

/** Absolute path of the package's inventory schema, found from this module (source tree or dist bundle). */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'lanmcp') {
      return join(dir, 'schemas', 'inventory.schema.json');
    }
    const parent = dirname(dir);
    if (parent === dir) throw new LanmcpError('E_INTERNAL', `cannot find lanmcp's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}
