import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { LanmcpError } from '../shared/errors.js';
import { checkLabName, deviceName, netnsName } from './addressing.js';
import { stopDevice, type BootTarget } from './boot.js';
import { labCgroups, processesIn, removeLabCgroups } from './cgroups.js';
import { devicePaths, unmountOverlay } from './device.js';
import { releaseHost } from './host-setup.js';
import { mapWithLimit } from '../shared/concurrency.js';
import { mountsUnder, unmountUnder } from './mounts.js';
import { deleteBridge, deleteDeviceNetwork, listLabLinks, listLabNamespaces } from './network.js';
import { labPaths, listDeviceOrdinals, releaseSubnets } from './state.js';

/** What `downLab` found and removed. */
export interface LabDownReport {
  name: string;
  /** Devices that were stopped (running or not). */
  devices: string[];
  /** Whether there was anything of this lab to remove. */
  existed: boolean;
}

/** Everything of a lab that may exist on the host; empty lists mean nothing is left. */
export interface LabLeftovers {
  namespaces: string[];
  links: string[];
  mounts: string[];
  cgroups: string[];
  processes: number[];
  stateDir: boolean;
}

/**
 * Takes a lab down: devices power off cleanly (in parallel, 10 s grace, then killed), then overlays,
 * cgroups, veths, namespaces, the bridge and the state directory go; after the last lab, the host's
 * nspawn tmpfs too (releaseHost). Works from names alone, so a lab whose state was half-removed is
 * still cleaned. Throws E_LAB_FAILED naming anything that stayed.
 */
export async function downLab(name: string): Promise<LabDownReport> {
  checkLabName(name);
  const paths = labPaths(name);
  const before = await findLabLeftovers(name);
  const ordinals = await labOrdinals(name);
  await mapWithLimit(ordinals, 64, async (ordinal) => {
    const device = deviceName(ordinal);
    const target: BootTarget = { lab: name, device, paths: devicePaths(paths.dir, device) };
    await stopDevice(target, 10_000);
    await unmountOverlay(target.paths);
    await deleteDeviceNetwork(name, device, ordinal);
  });
  await removeLabCgroups(name);
  await deleteBridge(name);
  await unmountUnder(paths.dir);
  await rm(paths.dir, { recursive: true, force: true });
  await releaseSubnets(name);
  const after = await findLabLeftovers(name);
  if (!isEmpty(after)) {
    throw new LanmcpError('E_LAB_FAILED', `lab "${name}" is down but left behind: ${JSON.stringify(after)}`, {
      hint: 'run `lanmcp lab down` again; if it stays, remove those by hand',
    });
  }
  await releaseHost().catch((cause: unknown) => {
    throw new LanmcpError('E_LAB_FAILED', `lab "${name}" is down but the tmpfs lanmcp mounted on /run/systemd/nspawn stays: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause, hint: 'see what uses it with `fuser -vm /run/systemd/nspawn`, then `umount /run/systemd/nspawn`',
    });
  });
  return { name, devices: ordinals.map(deviceName), existed: !isEmpty(before) };
}

/** Looks for anything the lab could have left on the host (the teardown test asserts all of it empty). */
export async function findLabLeftovers(name: string): Promise<LabLeftovers> {
  const paths = labPaths(name);
  return {
    namespaces: await listLabNamespaces(name),
    links: await listLabLinks(name),
    mounts: await mountsUnder(paths.dir),
    cgroups: labCgroups(name).filter((dir) => existsSync(dir)),
    processes: await processesIn(labCgroups(name)),
    stateDir: existsSync(paths.dir),
  };
}

export function isEmpty(leftovers: LabLeftovers): boolean {
  const { stateDir, ...lists } = leftovers;
  return !stateDir && Object.values(lists).every((list) => list.length === 0);
}

// Devices known from the state directory plus any whose namespace outlived it.
async function labOrdinals(name: string): Promise<number[]> {
  const fromNamespaces = (await listLabNamespaces(name))
    .map((ns) => Number(ns.slice(netnsName(name, 'lab').length)))
    .filter((n) => Number.isInteger(n) && n > 0);
  return [...new Set([...(await listDeviceOrdinals(name)), ...fromNamespaces])].sort((a, b) => a - b);
}
