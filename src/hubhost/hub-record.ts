import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `.lanmcp/hub-host.json`: the device the hub was last provisioned on. When hub.host changes or goes, this
 * is how diff and apply know which device still runs a hub to remove, without probing every device.
 */
export interface HubRecord {
  host: string;
  applied_at: string;
}

const fileOf = (stateDir: string) => join(stateDir, 'hub-host.json');

export async function readHubRecord(stateDir: string): Promise<HubRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(fileOf(stateDir), 'utf8')) as Partial<HubRecord>;
    return typeof value.host === 'string' ? { host: value.host, applied_at: String(value.applied_at ?? '') } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A damaged record only costs the automatic removal of a moved hub; planning goes on without it.
    return undefined;
  }
}

export async function writeHubRecord(stateDir: string, host: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(fileOf(stateDir), `${JSON.stringify({ host, applied_at: new Date().toISOString() } satisfies HubRecord, null, 2)}\n`, { mode: 0o600 });
}

export async function removeHubRecord(stateDir: string): Promise<void> {
  await rm(fileOf(stateDir), { force: true });
}
