import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Edge tokens are recognizable (`lme_` prefix) so secret scanners and our own output checks can find them. */
export function generateEdgeToken(): string {
  return `lme_${randomBytes(32).toString('base64url')}`;
}

const PIN_RE = /^[0-9a-f]{64}$/;

/**
 * The local secrets store: `.lanmcp/` next to the inventory (0700), per device its token (`NAME.token`) and
 * the SHA-256 of its edge's TLS public key (`NAME.pin`), both 0600. Only a token's SHA-256 ever goes to a
 * device; the token itself lives here and in the hub's memory. The pin is not secret, but whoever can
 * change it can point the hub at another server, so it is kept like the token.
 */
export function createTokenStore(stateDir: string) {
  const dir = join(stateDir, 'tokens');
  const fileOf = (device: string, kind: 'token' | 'pin' = 'token') => join(dir, `${device}.${kind}`);

  async function readText(path: string): Promise<string | undefined> {
    try {
      return (await readFile(path, 'utf8')).trim() || undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Atomic: written to a temp name with mode 0600, then renamed over the old one. */
  async function writeText(path: string, text: string): Promise<void> {
    await ensurePrivateDir(stateDir);
    await ensurePrivateDir(dir);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${text}\n`, { mode: 0o600 });
    await rename(temp, path);
  }

  return {
    stateDir,
    read: (device: string) => readText(fileOf(device)),
    write: (device: string, token: string) => writeText(fileOf(device), token),
    /** The edge's pinned key (lowercase hex SHA-256 of its SPKI); a malformed file reads as no pin. */
    async readPin(device: string): Promise<string | undefined> {
      const pin = await readText(fileOf(device, 'pin'));
      return pin && PIN_RE.test(pin) ? pin : undefined;
    },
    async writePin(device: string, pin: string): Promise<void> {
      if (!PIN_RE.test(pin)) throw new Error(`not a SHA-256 pin: ${JSON.stringify(pin.slice(0, 80))}`);
      await writeText(fileOf(device, 'pin'), pin);
    },
    async removePin(device: string): Promise<void> {
      await rm(fileOf(device, 'pin'), { force: true });
    },
    /** Forgets the device: its token and its pin. */
    async remove(device: string): Promise<void> {
      await rm(fileOf(device), { force: true });
      await rm(fileOf(device, 'pin'), { force: true });
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;

async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
