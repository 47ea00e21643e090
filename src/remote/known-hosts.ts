/**
 * OpenSSH known_hosts files, pure: parsing (plain and hashed host patterns, `@revoked` and
 * `@cert-authority` markers), key blobs and fingerprints as `ssh-keygen -l` prints them.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../shared/diagnostics.js';

/** One key line. `key` is the raw public key blob (what the server sends during key exchange). */
export interface KnownHostEntry {
  file: string;
  /** 1-based. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The comma-separated pattern list as written, e.g. `kitchen,10.0.0.21,!10.0.0.9,[pi]:2222`. */
  patterns: string;
  /** For `|1|salt|hash` lines: HMAC-SHA1 of the host name keyed by the salt. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines skipped because they are malformed; OpenSSH skips them too, lanmcp says so. */
  diagnostics: Diagnostic[];
}

/** Parses a known_hosts file. Never throws: a bad line is skipped with a warning naming it. */
export function parseKnownHosts(text: string, file: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const result = parseLine(trimmed, file, index + 1);
    if (typeof result === 'string') {
      const column = raw.indexOf(trimmed) + 1;
      diagnostics.push({ code: 'known-hosts/bad-line', severity: 'warning', message: result, file, line: index + 1, column, path: '' });
    } else entries.push(result);
  });
  return { entries, diagnostics };
}

function parseLine(text: string, file: string, line: number): KnownHostEntry | string {
  const words = text.split(/\s+/);
  let marker: KnownHostEntry['marker'];
  if (words[0]?.startsWith('@')) {
    const name = words.shift();
    if (name !== '@revoked' && name !== '@cert-authority') return `unknown marker ${name}`;
    marker = name === '@revoked' ? 'revoked' : 'cert-authority';
  }
  const [patterns, keyType, base64] = words;
  if (patterns === undefined || keyType === undefined || base64 === undefined) return 'expected: [marker] hosts key-type base64-key [comment]';
  const key = decodeKeyBlob(base64);
  if (key === undefined) return `the key of type ${keyType} is not valid base64`;
  const blobType = keyTypeOf(key);
  if (blobType !== keyType) return `the key says type ${blobType ?? '(unreadable)'} but the line says ${keyType}`;
  const entry: KnownHostEntry = { file, line, patterns, keyType, key, ...(marker ? { marker } : {}) };
  if (!patterns.startsWith('|')) return entry;
  const hashed = parseHashedName(patterns);
  return hashed ? { ...entry, hashed } : `unsupported hashed host name ${patterns} (expected |1|salt|hash)`;
}

function parseHashedName(text: string): KnownHostEntry['hashed'] {
  const parts = text.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return undefined;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const hash = Buffer.from(parts[3] ?? '', 'base64');
  return salt.length === 20 && hash.length === 20 ? { salt, hash } : undefined;
}

function decodeKeyBlob(base64: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, 'base64');
  return blob.length > 4 ? blob : undefined;
}

/** The algorithm name at the start of a public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const length = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const name = Buffer.from(blob.subarray(4, 4 + length)).toString('latin1');
  return /^[\x21-\x7e]+$/.test(name) ? name : undefined;
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, as OpenSSH prints fingerprints. */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts uses for an endpoint: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** The line lanmcp appends when a new key is accepted; the comment names the device for reviewers. */
export function formatKnownHostsLine(host: string, port: number, blob: Uint8Array, comment: string): string {
  const type = keyTypeOf(blob);
  if (type === undefined) throw new TypeError('not an SSH public key blob');
  return `${knownHostsName(host, port)} ${type} ${Buffer.from(blob).toString('base64')} ${comment.replace(/\s+/g, '-')}`;
}
