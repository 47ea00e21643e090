import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isMountedAs } from './mounts.js';
import { runCommand } from './run.js';

/**
 * Host settings the devices need (notes/test-lan.md). Both are only ever raised or added, never undone:
 * other labs, and whatever else runs on the host, may rely on them.
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

// nspawn refuses to delete its state directory when /run is on disk ("Failed to remove ... propagate").
async function ensureNspawnTmpfs(): Promise<void> {
  const dir = '/run/systemd/nspawn';
  if ((await isMountedAs('/run', 'tmpfs')) || (await isMountedAs(dir, 'tmpfs'))) return;
  await mkdir(dir, { recursive: true });
  await runCommand(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'lanmcp-nspawn', dir]);
}
