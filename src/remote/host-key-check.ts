/**
 * Deciding whether a presented host key is trusted, pure. Stricter than OpenSSH in one place, on
 * purpose: when a host has recorded keys but none of the presented key's type, that is "changed", not
 * "new" — an interceptor without the real key could otherwise pick another key type and be accepted
 * by --accept-new-host-keys. `preferredHostKeyAlgorithms` makes a genuine server present a known type.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fingerprintOf, keyTypeOf, knownHostsName, type KnownHostEntry } from './known-hosts.js';

export interface RecordedKey {
  fingerprint: string;
  keyType: string;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'known'; fingerprint: string; keyType: string; recorded: RecordedKey }
  | { status: 'unknown'; fingerprint: string; keyType: string }
  | { status: 'changed'; fingerprint: string; keyType: string; recorded: RecordedKey[] }
  | { status: 'revoked'; fingerprint: string; keyType: string; recorded: RecordedKey };

/** True when the pattern list (commas, `*`/`?` globs, `!` negation, hashed) names this known_hosts name. */
export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false; // a matching negation wins over every positive match, as in OpenSSH
    matched = true;
  }
  return matched;
}

/** OpenSSH-style glob: `*` any run, `?` one character, case-insensitive, whole string. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, 'is').test(text);
}

/** Looks a presented key up in the entries of every known_hosts file, in order. */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, blob: Uint8Array): HostKeyVerdict {
  const presented = Buffer.from(blob);
  const fingerprint = fingerprintOf(presented);
  const keyType = keyTypeOf(presented) ?? 'unknown';
  const name = knownHostsName(host, port);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { status: 'revoked', fingerprint, keyType, recorded: recordedKey(revoked) };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesName(e, name));
  const same = forHost.find((e) => e.key.equals(presented));
  if (same) return { status: 'known', fingerprint, keyType, recorded: recordedKey(same) };
  if (forHost.length === 0) return { status: 'unknown', fingerprint, keyType };
  // Keys of the presented type first: they are the ones the new key replaces.
  const ordered = [...forHost.filter((e) => e.keyType === keyType), ...forHost.filter((e) => e.keyType !== keyType)];
  return { status: 'changed', fingerprint, keyType, recorded: ordered.map(recordedKey) };
}

function recordedKey(entry: KnownHostEntry): RecordedKey {
  return { fingerprint: fingerprintOf(entry.key), keyType: entry.keyType, file: entry.file, line: entry.line };
}

const HOST_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Host key algorithms to offer, those with a recorded key for this host first (what OpenSSH does), so
 * a server with several host keys shows the one we can check.
 */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const knownTypes = new Set(entries.filter((e) => e.marker === undefined && entryMatchesName(e, name)).map((e) => e.keyType));
  const all = Object.entries(HOST_KEY_ALGORITHMS);
  const first = all.filter(([type]) => knownTypes.has(type)).flatMap(([, algorithms]) => algorithms);
  const rest = all.filter(([type]) => !knownTypes.has(type)).flatMap(([, algorithms]) => algorithms);
  return [...first, ...rest];
}
