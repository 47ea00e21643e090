// TLS on the hub's own listener (inventory `hub.tls: {cert_file, key_file}`), for LANs without a tunnel or
// reverse proxy in front of the hub. The PEM text is checked before the hub listens, so a wrong file is an
// error naming it instead of a TLS handshake failure every client reports differently.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LanmcpError } from '../shared/errors.js';

/** PEM text of the hub's certificate (chain) and private key. */
export interface HubTls {
  cert: string;
  key: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

function tlsError(message: string, hint: string, cause?: unknown): LanmcpError {
  return new LanmcpError('E_HUB_LISTEN', message, { hint, ...(cause !== undefined ? { cause } : {}) });
}

/**
 * Throws when the certificate or key is not PEM, cannot be parsed, or the key is not the certificate's;
 * `names` say where each came from (file paths, or "hub TLS certificate" for text passed in).
 */
export function checkHubTls(tls: HubTls, names: { cert: string; key: string } = { cert: 'the hub TLS certificate', key: 'the hub TLS key' }): void {
  if (!PEM_CERT.test(tls.cert)) throw tlsError(`${names.cert} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`, 'give hub.tls.cert_file the certificate in PEM form (e.g. `openssl x509 -in cert.der -inform der -out cert.pem`)');
  if (PEM_CERT.test(tls.key) && !PEM_KEY.test(tls.key)) throw tlsError(`${names.key} holds a certificate, not a private key`, 'hub.tls.key_file and hub.tls.cert_file may be swapped');
  if (!PEM_KEY.test(tls.key)) throw tlsError(`${names.key} is not a PEM private key (no "-----BEGIN … PRIVATE KEY-----" line)`, 'give hub.tls.key_file the unencrypted private key in PEM form');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(tls.cert);
  } catch (cause) {
    throw tlsError(`${names.cert} cannot be read as an X.509 certificate: ${(cause as Error).message}`, 'check the file is a complete PEM certificate', cause);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(tls.key);
  } catch (cause) {
    const encrypted = /ENCRYPTED/.test(tls.key) || /passphrase/i.test((cause as Error).message);
    throw tlsError(`${names.key} cannot be read as a private key: ${(cause as Error).message}`, encrypted ? 'the hub cannot ask for a passphrase: decrypt the key (`openssl pkey -in key.pem -out key-plain.pem`) and keep it 0600' : 'check the file is a complete PEM private key', cause);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw tlsError(`${names.key} does not belong to the certificate in ${names.cert}`, 'give hub.tls the key the certificate was issued for (compare `openssl x509 -noout -pubkey -in CERT` with `openssl pkey -pubout -in KEY`)');
  }
}

/** Reads and checks `hub.tls` files (absolute paths, resolved from the inventory's folder). */
export async function loadHubTls(files: { cert_file: string; key_file: string }): Promise<HubTls> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${(cause as Error).message})`;
      throw tlsError(`hub.tls.${what} ${file} ${problem}`, `fix hub.tls.${what} in the inventory (relative paths start at the inventory's folder)`, cause);
    }
  };
  const tls = { cert: await read(files.cert_file, 'cert_file'), key: await read(files.key_file, 'key_file') };
  checkHubTls(tls, { cert: `hub.tls.cert_file ${files.cert_file}`, key: `hub.tls.key_file ${files.key_file}` });
  return tls;
}
