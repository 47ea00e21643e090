import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { sha256Hex } from '../shared/hash.js';

/** One client token as `.lanmcp/clients.json` keeps it: never the token, only its SHA-256. */
export interface ClientTokenRecord {
  name: string;
  /** Lowercase hex SHA-256 of the token. */
  sha256: string;
  /** ISO time. */
  created: string;
  last_used?: string;
}

/** What `token list` shows: a fingerprint identifies a token without revealing it. */
export interface ClientTokenInfo extends ClientTokenRecord {
  fingerprint: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** Writing last_used on every request would turn each call into a file write: once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Client tokens are recognizable (`lmc_`, edge tokens are `lme_`) so a scanner or a mix-up is easy to spot. */
export function generateClientToken(): string {
  return `lmc_${randomBytes(32).toString('base64url')}`;
}


/** `sha256:3f2a1c9b0d4e`: enough to tell tokens apart in a list, useless to an attacker. */
export function tokenFingerprint(sha256: string): string {
  return `sha256:${sha256.slice(0, 12)}`;
}

/**
 * The hub's client tokens in `<stateDir>/clients.json` (0600). The file is re-read whenever its mtime or
 * size changes, so `lanmcp token revoke` takes effect on a running hub at its next request.
 */
export function createClientTokenStore(stateDir: string, now: () => Date = () => new Date()) {
  const file = join(stateDir, 'clients.json');
  // The records of the file as last read, with what verify needs of them precomputed: each hash as bytes
  // for the constant-time compare, and when each was last used as a number.
  let cache: Loaded | undefined;
  // The SHA-256 of each token presented lately: a client sends the same one on every request, and hashing
  // it anew was a tenth of what a cold hub spent per call. Bounded, so junk tokens cannot grow it.
  const digests = new Map<string, Buffer>();

  function load(): ClientTokenRecord[] {
    return loadChecked().records;
  }

  function loadChecked(): Loaded {
    const stamp = fileStamp(file);
    if (cache && sameStamp(cache.stamp, stamp)) return cache;
    cache = loaded(stamp, stamp === undefined ? [] : parseClientsFile(readFileSync(file, 'utf8'), file));
    return cache;
  }

  function save(records: ClientTokenRecord[]): void {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: 1, tokens: records }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
    cache = loaded(fileStamp(file), records);
  }

  return {
    file,
    /** Issues a new named token and returns it: the only moment it exists outside the client. */
    create(name: string): string {
      if (!NAME_RE.test(name)) {
        throw new LanmcpError('E_CLIENT_TOKENS', `token name "${name}" is not valid`, { hint: 'use lowercase letters, digits, ".", "_" or "-" (at most 64), e.g. `laptop`' });
      }
      const records = load();
      if (records.some((r) => r.name === name)) {
        throw new LanmcpError('E_CLIENT_TOKENS', `a client token named "${name}" already exists`, { hint: `revoke it first (\`lanmcp token revoke ${name}\`) or pick another name` });
      }
      const token = generateClientToken();
      save([...records, { name, sha256: sha256Hex(token), created: now().toISOString() }]);
      return token;
    },
    list(): ClientTokenInfo[] {
      return load().map((r) => ({ ...r, fingerprint: tokenFingerprint(r.sha256) }));
    },
    /** False when no token has that name. */
    revoke(name: string): boolean {
      const records = load();
      const kept = records.filter((r) => r.name !== name);
      if (kept.length === records.length) return false;
      save(kept);
      return true;
    },
    /** The name of the token that matches, compared in constant time against every record; undefined otherwise. */
    verify(token: string): string | undefined {
      let presented = digests.get(token);
      if (!presented) {
        presented = createHash('sha256').update(token).digest();
        if (digests.size >= 64) digests.clear();
        digests.set(token, presented);
      }
      const { records, hashes, usedAtMs } = loadChecked();
      let match = -1;
      for (let i = 0; i < records.length; i++) if (timingSafeEqual(hashes[i]!, presented) && match < 0) match = i;
      if (match < 0) return undefined;
      if (now().getTime() - usedAtMs[match]! >= LAST_USED_RESOLUTION_MS) touch(records, records[match]!);
      return records[match]!.name;
    },
  };

  function touch(records: ClientTokenRecord[], record: ClientTokenRecord): void {
    const name = record.name;
    try {
      save(records.map((r) => (r.name === name ? { ...r, last_used: now().toISOString() } : r)));
    } catch {
      // last_used is informational; a read-only state folder must not turn into failed requests.
    }
  }
}

export type ClientTokenStore = ReturnType<typeof createClientTokenStore>;

interface Loaded {
  stamp: Stats | undefined;
  records: ClientTokenRecord[];
  hashes: Buffer[];
  usedAtMs: number[];
}

function loaded(stamp: Stats | undefined, records: ClientTokenRecord[]): Loaded {
  return { stamp, records, hashes: records.map((r) => Buffer.from(r.sha256, 'hex')), usedAtMs: records.map((r) => (r.last_used ? Date.parse(r.last_used) || 0 : 0)) };
}

/** The file's identity and version (undefined: absent): a token revoked by another process shows as a change. */
function fileStamp(file: string): Stats | undefined {
  return statSync(file, { throwIfNoEntry: false });
}

function sameStamp(a: Stats | undefined, b: Stats | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

/** Strict reading: a hand-edited file with a bad entry is an error naming the entry, never a silently open hub. */
export function parseClientsFile(text: string, file: string): ClientTokenRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LanmcpError('E_CLIENT_TOKENS', `${file} is not valid JSON`, { hint: 'restore it, or delete it and create tokens again with `lanmcp token create NAME`', cause });
  }
  const tokens = (json as { tokens?: unknown })?.tokens;
  if (!Array.isArray(tokens)) throw new LanmcpError('E_CLIENT_TOKENS', `${file}: "tokens" must be an array`);
  return tokens.map((t, i) => {
    const r = t as Partial<ClientTokenRecord>;
    if (typeof r?.name !== 'string' || typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256) || typeof r.created !== 'string') {
      throw new LanmcpError('E_CLIENT_TOKENS', `${file}: tokens[${i}] needs name, sha256 (64 hex) and created`);
    }
    return { name: r.name, sha256: r.sha256, created: r.created, ...(typeof r.last_used === 'string' ? { last_used: r.last_used } : {}) };
  });
}
