import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { pickDebianMirror, type SourceFile } from './mirror.js';
import { unmountUnder } from './mounts.js';
import { debootstrapArgv, recipeHash, type RootfsRecipe } from './recipe.js';
import { labStepFailed, runCommand } from './run.js';
import { listLabStates } from './state.js';

/** Where golden rootfs trees are cached, one directory per recipe hash (`LANMCP_LAB_CACHE` overrides it). */
export const ROOTFS_CACHE = '/var/cache/lanmcp';

const BUILD_PREFIX = '.build-rootfs-';

/**
 * The golden rootfs for `recipe`, built once: debootstrap into a temporary directory, customise it in a
 * chroot, then rename it into place, so an interrupted build never leaves a half tree under the final name.
 */
export async function ensureRootfs(recipe: RootfsRecipe, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const hash = recipeHash(recipe);
  const cache = env.LANMCP_LAB_CACHE || ROOTFS_CACHE;
  const final = join(cache, `rootfs-${hash}`);
  if (existsSync(final)) return final;
  await mkdir(cache, { recursive: true });
  await removeAbandonedBuilds(cache);
  const mirror = await loadDebianMirror(env);
  const temp = join(cache, `${BUILD_PREFIX}${hash}-${process.pid}`);
  const started = Date.now();
  log(`building the device rootfs (Debian ${recipe.suite}, once per machine) from ${mirror} ...`);
  try {
    await rm(temp, { recursive: true, force: true });
    await runCommand(debootstrapArgv(recipe, temp, mirror), { timeoutMs: 15 * 60_000 });
    await runCommand(['chroot', temp, '/bin/sh', '-c', recipe.customise], { timeoutMs: 5 * 60_000 });
    await unmountUnder(temp);
    await rename(temp, final).catch(async (error: NodeJS.ErrnoException) => {
      // Another lab built the same recipe concurrently and won the rename: use theirs.
      if (!existsSync(final)) throw error;
      await rm(temp, { recursive: true, force: true });
    });
  } catch (cause) {
    await unmountUnder(temp).catch(() => undefined);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw labStepFailed(`building the device rootfs ${final}`, cause, 'check that apt can reach the mirror (`apt-get update`)');
  }
  log(`rootfs built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${final}`);
  await pruneOldRootfs(cache, final);
  return final;
}

// Trees of earlier recipes (~300 MB each) go once no lab's devices still use them as their lower layer.
async function pruneOldRootfs(cache: string, current: string): Promise<void> {
  const inUse = new Set((await listLabStates()).map((state) => state.rootfs));
  for (const name of await readdir(cache)) {
    const path = join(cache, name);
    if (/^rootfs-[0-9a-f]{16}$/.test(name) && path !== current && !inUse.has(path)) await rm(path, { recursive: true, force: true });
  }
}

/** The Debian mirror for debootstrap: `LANMCP_LAB_MIRROR`, else the one apt on this machine uses. */
export async function loadDebianMirror(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.LANMCP_LAB_MIRROR) return env.LANMCP_LAB_MIRROR;
  const files = await readAptSources();
  const mirror = pickDebianMirror(files);
  if (mirror !== undefined) return mirror;
  const read = files.map((file) => file.path).join(', ') || 'no apt source files';
  throw new LanmcpError('E_LAB_REQUIREMENTS', `no Debian archive mirror among apt's sources (read: ${read})`, {
    hint: 'set LANMCP_LAB_MIRROR to the URL of a Debian mirror (its path ends in /debian)',
  });
}

async function readAptSources(): Promise<SourceFile[]> {
  const dir = '/etc/apt/sources.list.d';
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => /\.(list|sources)$/.test(n)).sort() : [];
  const paths = ['/etc/apt/sources.list', ...names.map((name) => join(dir, name))].filter((p) => existsSync(p));
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
}

// A build whose process is gone was interrupted: its tree (and any mount debootstrap left in it) goes.
async function removeAbandonedBuilds(cache: string): Promise<void> {
  for (const name of await readdir(cache)) {
    const pid = Number(/^\.build-rootfs-[0-9a-f]+-(\d+)$/.exec(name)?.[1]);
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    await unmountUnder(join(cache, name));
    await rm(join(cache, name), { recursive: true, force: true });
  }
}
