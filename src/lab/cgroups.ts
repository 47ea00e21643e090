import { existsSync } from 'node:fs';
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One cgroup per device, under `lanmcp-lab/<lab>/<device>` in the hierarchies systemd uses: without it every
 * container shares one `payload` tree and one device's systemd can kill another's services
 * (notes/test-lan.md). Hybrid hosts have `name=systemd` plus the unified tree; pure v2 hosts have only the root.
 */
const ROOT = '/sys/fs/cgroup';
const TOP = 'lanmcp-lab';

/** The hierarchies to place devices in on this host. */
export function cgroupHierarchies(): string[] {
  const hybrid = [join(ROOT, 'systemd'), join(ROOT, 'unified')].filter((dir) => existsSync(join(dir, 'cgroup.procs')));
  return hybrid.length > 0 ? hybrid : [ROOT];
}

/** The device's cgroup directory in each hierarchy. */
export function deviceCgroups(lab: string, device: string): string[] {
  return cgroupHierarchies().map((hierarchy) => join(hierarchy, TOP, lab, device));
}

/** The lab's cgroup directory in each hierarchy. */
export function labCgroups(lab: string): string[] {
  return cgroupHierarchies().map((hierarchy) => join(hierarchy, TOP, lab));
}

/** Every process in the cgroup trees rooted at `dirs`. */
export async function processesIn(dirs: readonly string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of dirs) for (const pid of await treeProcs(dir)) pids.add(pid);
  return [...pids];
}

/** Removes cgroup trees bottom-up (cgroupfs only allows rmdir of empty groups); returns what stayed. */
export async function removeCgroupTrees(dirs: readonly string[]): Promise<string[]> {
  const stayed: string[] = [];
  for (const dir of dirs) stayed.push(...(await removeTree(dir)));
  return stayed;
}

/** Removes `lanmcp-lab/<lab>` and then `lanmcp-lab` itself when no other lab uses it. */
export async function removeLabCgroups(lab: string): Promise<string[]> {
  const stayed = await removeCgroupTrees(labCgroups(lab));
  for (const hierarchy of cgroupHierarchies()) {
    await rmdir(join(hierarchy, TOP)).catch(() => undefined);
  }
  return stayed;
}

async function treeProcs(dir: string): Promise<number[]> {
  if (!existsSync(dir)) return [];
  const own = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  const nested = await Promise.all((await subgroups(dir)).map(treeProcs));
  return [...own, ...nested.flat()];
}

async function removeTree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const stayed = (await Promise.all((await subgroups(dir)).map(removeTree))).flat();
  try {
    await rmdir(dir);
  } catch {
    stayed.push(dir);
  }
  return stayed;
}

async function subgroups(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
}
