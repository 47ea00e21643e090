import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { deviceOrdinal } from './addressing.js';
import { runCommand } from './run.js';

/** Where running labs keep their state: one directory per lab name. */
export const LAB_STATE_ROOT = '/var/lib/lanmcp-lab';

/** What a lab records about itself in `state.json`. */
export interface LabState {
  name: string;
  subnet_index: number;
  rootfs: string;
  created_at: string;
}

/** The files of one lab under its state directory. */
export interface LabPaths {
  dir: string;
  stateFile: string;
  sshKey: string;
  knownHosts: string;
  inventory: string;
}

export function labPaths(name: string): LabPaths {
  const dir = join(LAB_STATE_ROOT, name);
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    sshKey: join(dir, 'ssh', 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    inventory: join(dir, 'inventory.yaml'),
  };
}

export async function loadLabState(name: string): Promise<LabState | undefined> {
  const file = labPaths(name).stateFile;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LabState;
  } catch (cause) {
    throw new LanmcpError('E_LAB_FAILED', `cannot read the lab state ${file}`, { cause, hint: `run \`lanmcp lab down --name ${name}\`` });
  }
}

/** Writes state.json atomically (temp file + rename). */
export async function saveLabState(state: LabState): Promise<void> {
  const paths = labPaths(state.name);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writeAtomically(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** Every lab that has a state directory. */
export async function listLabStates(): Promise<LabState[]> {
  if (!existsSync(LAB_STATE_ROOT)) return [];
  const names = await readdir(LAB_STATE_ROOT);
  const states = await Promise.all(names.map((name) => loadLabState(name).catch(() => undefined)));
  return states.filter((state): state is LabState => state !== undefined);
}

/** Ordinals of the devices a lab has directories for, ascending. */
export async function listDeviceOrdinals(name: string): Promise<number[]> {
  const dir = join(labPaths(name).dir, 'devices');
  if (!existsSync(dir)) return [];
  const ordinals = (await readdir(dir)).map(deviceOrdinal).filter((n): n is number => n !== undefined);
  return ordinals.sort((a, b) => a - b);
}

/** The lab's client key pair (generated once); returns the public key line. */
export async function ensureClientKey(paths: LabPaths): Promise<string> {
  if (!existsSync(paths.sshKey)) {
    await mkdir(join(paths.dir, 'ssh'), { recursive: true, mode: 0o700 });
    await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'lanmcp-lab', '-f', paths.sshKey]);
  }
  return (await readFile(`${paths.sshKey}.pub`, 'utf8')).trim();
}

export async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, content, { mode: 0o644 });
  await rename(temp, path);
}

const CLAIMS = join(LAB_STATE_ROOT, '.subnets');
const STALE_CLAIM_MS = 60_000;

/**
 * Claims subnet `index` for lab `name` by creating `.subnets/<index>` exclusively, so two labs brought up
 * at the same moment never share a subnet. A claim whose lab has no state directory and is older than a
 * minute was left by an interrupted `up` and is taken over.
 */
export async function claimSubnet(name: string, index: number): Promise<boolean> {
  await mkdir(CLAIMS, { recursive: true, mode: 0o700 });
  const file = join(CLAIMS, String(index));
  try {
    await writeFile(file, `${name}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (owner === name) return true;
  const age = Date.now() - (await stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
  if (owner !== '' && existsSync(labPaths(owner).dir)) return false;
  if (age < STALE_CLAIM_MS) return false;
  await writeAtomically(file, `${name}\n`);
  return true;
}

/** Drops every subnet claim held by lab `name`. */
export async function releaseSubnets(name: string): Promise<void> {
  if (!existsSync(CLAIMS)) return;
  for (const entry of await readdir(CLAIMS)) {
    const file = join(CLAIMS, entry);
    if ((await readFile(file, 'utf8').catch(() => '')).trim() === name) await rm(file, { force: true });
  }
}

/** Subnet indexes claimed by labs other than `name`. */
export async function loadClaimedSubnets(name: string): Promise<number[]> {
  if (!existsSync(CLAIMS)) return [];
  const entries = await readdir(CLAIMS);
  const owners = await Promise.all(entries.map(async (entry) => ({ index: Number(entry), owner: (await readFile(join(CLAIMS, entry), 'utf8').catch(() => '')).trim() })));
  return owners.filter((o) => o.owner !== name && Number.isInteger(o.index)).map((o) => o.index);
}
