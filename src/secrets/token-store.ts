import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Edge tokens are recognizable (`lme_` prefix) so secret scanners and our own output checks can find them. */
export function generateEdgeToken(): string {
  return `lme_${randomBytes(32).toString('base64url')}`;
}

/**
 * The local secrets store: `.lanmcp/` next to the inventory (0700), one file per device token (0600).
 * Only a token's SHA-256 ever goes to a device; the token itself lives here and in the hub's memory.
 */
export function createTokenStore(stateDir: string) {
  const dir = join(stateDir, 'tokens');
  const fileOf = (device: string) => join(dir, `${device}.token`);

  return {
    stateDir,
    async read(device: string): Promise<string | undefined> {
      try {
        return (await readFile(fileOf(device), 'utf8')).trim() || undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    /** Atomic: written to a temp name with mode 0600, then renamed over the old one. */
    async write(device: string, token: string): Promise<void> {
      await ensurePrivateDir(stateDir);
      await ensurePrivateDir(dir);
      const temp = `${fileOf(device)}.${process.pid}.tmp`;
      await writeFile(temp, `${token}\n`, { mode: 0o600 });
      await rename(temp, fileOf(device));
    },
    async remove(device: string): Promise<void> {
      await rm(fileOf(device), { force: true });
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;

async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
