import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of text (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The short form shown to humans for hashes and secrets: `sha256:3f2a1c9d…` (first 12 hex digits). */
export function fingerprint(sha256: string): string {
  return `sha256:${sha256.slice(0, 12)}…`;
}
