import { chmod, chown, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createEdgeTlsIdentity } from './tls-cert.js';

export interface KeygenOptions {
  /** Folder of key.pem and cert.pem (created 0700 when missing; apply sets its owner). */
  dir: string;
  /** The device name, the certificate's CN. */
  name: string;
  /** A run_as edge's group: key.pem becomes 0640 root:<gid> so that user can read it; else 0600 root. */
  gid?: number;
}

/**
 * `node edge.mjs tls-keygen DIR NAME [--gid N]`: generates the edge's TLS key on the device (the private key
 * never leaves it) and returns the pin. Each file is written to a temp name (`.lanmcp.*`, which the next
 * apply cleans up if this dies) with its final mode and owner, then renamed: a reader sees old or new, never half.
 */
export async function writeEdgeTlsIdentity(options: KeygenOptions): Promise<{ spki_sha256: string }> {
  const identity = createEdgeTlsIdentity(options.name);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const keyMode = options.gid === undefined ? 0o600 : 0o640;
  await writeAtomically(join(options.dir, 'key.pem'), identity.keyPem, keyMode, options.gid);
  await writeAtomically(join(options.dir, 'cert.pem'), identity.certPem, 0o644, undefined);
  return { spki_sha256: identity.spkiSha256 };
}

async function writeAtomically(path: string, text: string, mode: number, gid: number | undefined): Promise<void> {
  const temp = join(path, '..', `.lanmcp.${path.split('/').pop()}.${process.pid}.tmp`);
  // Created 0600 so the key is never readable by others, not even for a moment; widened after the chown.
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  if (gid !== undefined) await chown(temp, 0, gid);
  await chmod(temp, mode);
  await rename(temp, path);
}
