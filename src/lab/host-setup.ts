import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { isMountedAs, mountSource } from './mounts.js';
import { mapWithLimit } from '../shared/concurrency.js';
import { runCommand } from './run.js';
import { listLabStates } from './state.js';

/**
 * Host settings the devices need (notes/test-lan.md). The inotify limits are only ever raised, never
 * lowered: whatever else runs on the host may rely on them. The tmpfs for nspawn goes with the last lab.
 */
const INOTIFY_MINIMUMS = [
  { path: '/proc/sys/fs/inotify/max_user_instances', min: 4096 }, // each booted systemd uses ~5
  { path: '/proc/sys/fs/inotify/max_user_watches', min: 262_144 },
];

/** Raises the inotify limits (at the defaults only ~25 devices boot) and gives nspawn a tmpfs state dir. */
export async function prepareHost(): Promise<void> {
  for (const { path, min } of INOTIFY_MINIMUMS) {
    const current = Number((await readFile(path, 'utf8')).trim());
    if (current < min) await writeFile(path, `${min}\n`);
  }
  await ensureNspawnTmpfs();
}

const NSPAWN_DIR = '/run/systemd/nspawn';
/** The mount source that marks the tmpfs as ours (`mount` shows it), so only ours is ever unmounted. */
const NSPAWN_TMPFS_SOURCE = 'lanmcp-nspawn';

// nspawn refuses to delete its state directory when /run is on disk ("Failed to remove ... propagate").
async function ensureNspawnTmpfs(): Promise<void> {
  if ((await isMountedAs('/run', 'tmpfs')) || (await isMountedAs(NSPAWN_DIR, 'tmpfs'))) return;
  await mkdir(NSPAWN_DIR, { recursive: true });
  await runCommand(['mount', '-t', 'tmpfs', '-o', 'mode=0755', NSPAWN_TMPFS_SOURCE, NSPAWN_DIR]);
}

/**
 * Unmounts the tmpfs prepareHost gave nspawn, unless a lab is left or a systemd-nspawn runs (a machine
 * that is not a lab's may use it too). Throws with umount's words if it stays mounted.
 */
export async function releaseHost(): Promise<void> {
  let unmounted = false;
  while ((await mountSource(NSPAWN_DIR)) === NSPAWN_TMPFS_SOURCE) {
    if (await hostInUse()) return;
    const result = await runCommand(['umount', NSPAWN_DIR], { allowFailure: true });
    // Another lab's down may have unmounted it first; two ups at once may have stacked two: loop.
    if (result.code !== 0 && (await mountSource(NSPAWN_DIR)) === NSPAWN_TMPFS_SOURCE) throw new Error(result.stderr.trim() || `umount ${NSPAWN_DIR} failed`);
    unmounted ||= result.code === 0;
  }
  // A lab up that saved its state while this down checked may have found the tmpfs, now gone: put it back.
  if (unmounted && (await listLabStates()).length > 0) await ensureNspawnTmpfs();
}

/** Whether the tmpfs is still mounted though releaseHost would unmount it now (a lab suite checks this). */
export async function nspawnTmpfsLeftBehind(): Promise<boolean> {
  return (await mountSource(NSPAWN_DIR)) === NSPAWN_TMPFS_SOURCE && !(await hostInUse());
}

/** Whether a lab exists or a systemd-nspawn runs: then the tmpfs stays. */
async function hostInUse(): Promise<boolean> {
  if ((await listLabStates()).length > 0) return true;
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const names = await mapWithLimit(pids, 32, (pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''));
  return names.some((name) => name.trim() === 'systemd-nspawn');
}
