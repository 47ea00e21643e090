import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `.lanmcp/apply.lock` so two applies on one inventory never interleave. A lock left by a process
 * that is gone (same host, dead pid) is taken over; a live one fails fast with who holds it.
 */
export async function acquireApplyLock(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, 'apply.lock');
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
      await handle.close();
      return () => releaseIfOurs(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readOwner(path);
      if (!holder && (await isFresh(path))) {
        throw new LanmcpError('E_APPLY_LOCKED', `another apply is taking ${path} right now`, { hint: 'wait for it to finish' });
      }
      if (holder && (holder.host !== owner.host || isAlive(holder.pid))) {
        throw new LanmcpError('E_APPLY_LOCKED', `another apply holds ${path}: pid ${holder.pid} on ${holder.host}, started ${holder.started}`, {
          hint: holder.host === owner.host ? 'wait for it to finish' : `if that apply is gone, remove ${path}`,
        });
      }
      await rm(path, { force: true });
    }
  }
  throw new LanmcpError('E_APPLY_LOCKED', `could not take ${path}`, { hint: 'another apply raced for it; try again' });
}

/** A lock file that cannot be read yet may be one another apply is writing this instant. */
async function isFresh(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < 5_000;
}

/** Removes the lock only while it is still ours (a stale-lock takeover may have replaced it). */
async function releaseIfOurs(path: string): Promise<void> {
  if ((await readOwner(path))?.pid === process.pid) await rm(path, { force: true });
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    // Unreadable or half-written by a process that died while writing it: treat as stale.
    return undefined;
  }
}
