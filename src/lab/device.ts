import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LAB_USERS } from './recipe.js';
import { mountsUnder, unmountUnder } from './mounts.js';
import { labStepFailed, runCommand } from './run.js';

/** Where one device keeps its files under the lab's state directory. */
export interface DevicePaths {
  dir: string;
  /** The overlay's upper and work directories: everything the device changed since it was fresh. */
  upper: string;
  work: string;
  /** The mounted overlay: the device's `/`. */
  root: string;
  /** Its SSH host key (private; `.pub` beside it), kept across `freshDevice` so known_hosts stays valid. */
  hostKey: string;
  supervisorPid: string;
  /** Present while the device is being stopped: tells the supervisor not to boot it again. */
  stopFile: string;
  /** The container's console and the supervisor's messages. */
  console: string;
}

export function devicePaths(labDir: string, device: string): DevicePaths {
  const dir = join(labDir, 'devices', device);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    supervisorPid: join(dir, 'supervisor.pid'),
    stopFile: join(dir, 'stopping'),
    console: join(dir, 'console.log'),
  };
}

/** Generates the device's ed25519 host key once; later calls keep it. */
export async function ensureHostKey(paths: DevicePaths, device: string): Promise<string> {
  if (!existsSync(paths.hostKey)) {
    await mkdir(paths.dir, { recursive: true });
    await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${device}`, '-f', paths.hostKey]);
  }
  return (await readFile(`${paths.hostKey}.pub`, 'utf8')).trim();
}

/**
 * Makes the device's `/` fresh: an empty overlay upper over the golden rootfs, seeded with what makes the
 * device itself (hostname, host key, the lab's login key for every user), then mounted.
 */
export async function prepareOverlay(rootfs: string, paths: DevicePaths, device: string, clientPublicKey: string): Promise<void> {
  try {
    await unmountUnder(paths.root);
    await rm(paths.upper, { recursive: true, force: true });
    await rm(paths.work, { recursive: true, force: true });
    await Promise.all([paths.upper, paths.work, paths.root].map((dir) => mkdir(dir, { recursive: true })));
    await seedUpper(rootfs, paths, device, clientPublicKey);
    const options = `lowerdir=${rootfs},upperdir=${paths.upper},workdir=${paths.work}`;
    await runCommand(['mount', '-t', 'overlay', 'overlay', '-o', options, paths.root]);
  } catch (cause) {
    throw labStepFailed(`preparing the root filesystem of ${device}`, cause);
  }
}

/** Unmounts the device's overlay (and anything mounted below it). */
export async function unmountOverlay(paths: DevicePaths): Promise<void> {
  await unmountUnder(paths.root);
}

/** Whether the device's overlay is mounted. */
export async function isOverlayMounted(paths: DevicePaths): Promise<boolean> {
  return (await mountsUnder(paths.root)).includes(paths.root);
}

async function seedUpper(rootfs: string, paths: DevicePaths, device: string, clientPublicKey: string): Promise<void> {
  const seed = (path: string, content: string, mode: number, uid = 0) => writeSeed(rootfs, paths.upper, path, content, mode, uid);
  // minbase has no /etc/hosts; sudo resolves the hostname on every call, so it must resolve locally.
  await seed('etc/hostname', `${device}\n`, 0o644);
  await seed('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${device}\n::1\tlocalhost ip6-localhost ip6-loopback\n`, 0o644);
  await seed('etc/ssh/ssh_host_ed25519_key', await readFile(paths.hostKey, 'utf8'), 0o600);
  await seed('etc/ssh/ssh_host_ed25519_key.pub', await readFile(`${paths.hostKey}.pub`, 'utf8'), 0o644);
  for (const user of LAB_USERS) {
    await seed(`${user.home.slice(1)}/.ssh/authorized_keys`, `${clientPublicKey}\n`, 0o600, user.uid);
  }
}

/**
 * Writes one file into the overlay's upper directory. Parent directories copy the owner and mode of the
 * same directory in the rootfs, because overlayfs shows the upper directory's attributes: a root-owned
 * `/home/deploy` would look foreign to sshd. Directories new to the rootfs (`.ssh`) get the file's owner, 0700.
 */
async function writeSeed(rootfs: string, upper: string, path: string, content: string, mode: number, uid: number): Promise<void> {
  const parts = dirname(path).split('/');
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const relative = parts.slice(0, depth).join('/');
    const target = join(upper, relative);
    if (existsSync(target)) continue;
    const lower = await lstat(join(rootfs, relative)).catch(() => undefined);
    await mkdir(target);
    await chown(target, lower?.uid ?? uid, lower?.gid ?? uid);
    await chmod(target, lower ? lower.mode & 0o7777 : 0o700);
  }
  const file = join(upper, path);
  await writeFile(file, content, { mode });
  await chown(file, uid, uid);
  await chmod(file, mode);
}
