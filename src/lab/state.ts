import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
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
