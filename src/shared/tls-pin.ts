// TLS pins: the SHA-256 of a public key's DER SubjectPublicKeyInfo, as lowercase hex in .lanmcp/ and as
// `SHA256:<base64>` for humans. One definition for the edge that makes the key, the facts that read its
// certificate, the agents that check it and `status` pinning a hub.tls certificate.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

/** `SHA256:<base64>` (like ssh's key fingerprints) of a hex SHA-256 pin: how pins are shown to humans. */
export function formatPin(hex: string): string {
  return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}

/** Lowercase hex SHA-256 of a public key's DER SubjectPublicKeyInfo: the pin the hub compares. */
export function spkiSha256(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The pin of the certificate in `pem` (its public key's); undefined when it is not a certificate Node can read. */
export function certificatePin(pem: string | Buffer): string | undefined {
  try {
    return spkiSha256(new X509Certificate(pem).publicKey);
  } catch {
    return undefined;
  }
}
