import type { Connector } from '../remote/connector.js';
import { quote } from '../remote/shell.js';
import { LanmcpError } from '../shared/errors.js';
import { EDGE_LAYOUT } from '../plan/layout.js';
import type { Ownership } from '../plan/types.js';

const dir = quote(EDGE_LAYOUT.tls.dir);
const key = quote(EDGE_LAYOUT.tls.key);

/** The tls folder with the config folder's owner and mode (a run_as edge enters it through its group). */
export function tlsDirScript(owner: Ownership): string[] {
  return [`mkdir -p ${dir}`, `chown ${quote(`${owner.owner}:${owner.group}`)} ${dir}`, `chmod ${owner.mode.toString(8)} ${dir}`];
}

/** Repairs key.pem's owner and mode (and the folder's) without touching the key. */
export function tlsPermissionsScript(keyOwner: Ownership, dirOwner: Ownership): string {
  return ['set -e', ...tlsDirScript(dirOwner), `chown ${quote(`${keyOwner.owner}:${keyOwner.group}`)} ${key}`, `chmod ${keyOwner.mode.toString(8)} ${key}`].join('\n');
}

/**
 * Generates the key on the device with the bundle just written (`tls-keygen`: node:crypto, no openssl) and
 * returns the pin it printed. What is read back is only the public key's SHA-256, over the SSH channel
 * whose host key was verified: that is what makes the pin trustworthy.
 */
export async function generateTlsKey(connector: Connector, options: { nodePath: string; device: string; group?: string; dir: Ownership }): Promise<string> {
  const gid = options.group === undefined ? '' : ` --gid "$(getent group ${quote(options.group)} | cut -d: -f3)"`;
  const script = ['set -e', ...tlsDirScript(options.dir), `${quote(options.nodePath)} ${quote(EDGE_LAYOUT.bundle.path)} tls-keygen ${dir} ${quote(options.device)}${gid}`].join('\n');
  const result = await connector.exec(script, { become: true, timeoutMs: 60_000 });
  const pin = /"spki_sha256":"([0-9a-f]{64})"/.exec(result.stdout)?.[1];
  if (result.code !== 0 || !pin) {
    throw new LanmcpError('E_REMOTE_COMMAND', `generating the TLS key failed on ${connector.label} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
  }
  return pin;
}

/** `tls: false`: once plain HTTP verified, the key and certificate go. */
export function tlsRemovalScript(): string {
  return `rm -rf ${dir}`;
}
