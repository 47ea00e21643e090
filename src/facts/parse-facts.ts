import { certificatePin } from '../shared/tls-pin.js';
import type { DeviceFacts, Ownership, Receipt, UserFacts } from '../plan/types.js';

/** Splits the facts script's output into `@section` → lines (the hub's facts script uses the same format). */
export function sections(stdout: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@')) {
      current = [];
      result.set(line.slice(1), current);
    } else if (current && line !== '') {
      current.push(line);
    }
  }
  return result;
}

function parseOsRelease(lines: string[]): DeviceFacts['os'] {
  const values = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Z_]+)=("?)(.*)\2$/.exec(line);
    if (match) values.set(match[1]!, match[3]!);
  }
  return { id: values.get('ID') ?? 'unknown', versionId: values.get('VERSION_ID') ?? '', prettyName: values.get('PRETTY_NAME') ?? 'unknown' };
}

/** A base64 section's lines → text; undefined for an empty section. */
export function decodeBase64(lines: string[] | undefined): string | undefined {
  const data = lines?.join('');
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

function parseReceipt(text: string | undefined): Receipt | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Receipt>;
    if (typeof value.lanmcp_version !== 'string' || typeof value.files !== 'object' || value.files === null) return undefined;
    return { lanmcp_version: value.lanmcp_version, applied_at: String(value.applied_at ?? ''), files: value.files, token_fingerprint: String(value.token_fingerprint ?? '') };
  } catch {
    // A corrupt receipt is treated as none: the next apply rewrites it and restarts the edge.
    return undefined;
  }
}

/** `stat -c '%a %U %G'` → mode, owner, group. */
export function parseStat(line: string | undefined): Ownership | undefined {
  const match = /^([0-7]{1,4}) (\S+) (\S+)$/.exec(line ?? '');
  return match ? { mode: Number.parseInt(match[1]!, 8), owner: match[2]!, group: match[3]! } : undefined;
}

/** getent passwd (name:uid:gid) and group (name:gid:members) → users with their groups, and every group name. */
function parseAccounts(passwd: string[], group: string[]): DeviceFacts['accounts'] {
  const groups = group.map((line) => line.split(':')).filter((f) => f.length >= 2 && f[0] !== '');
  const groupByGid = new Map(groups.map(([name, gid]) => [gid!, name!]));
  const users: Record<string, UserFacts> = {};
  for (const [name, uid, gid] of passwd.map((line) => line.split(':'))) {
    if (!name || uid === undefined || gid === undefined) continue;
    const primary = groupByGid.get(gid) ?? gid;
    const member = groups.filter(([g, , members]) => g !== primary && (members ?? '').split(',').includes(name)).map(([g]) => g!);
    users[name] = { uid: Number(uid), group: primary, groups: [primary, ...member] };
  }
  return { users, groups: groups.map(([name]) => name!) };
}


/** The tls folder's facts; absent when the script had no such sections (an older lanmcp's facts). */
function parseTls(s: Map<string, string[]>): DeviceFacts['tls'] {
  if (!s.has('tlscert')) return undefined;
  const pem = decodeBase64(s.get('tlscert'));
  const certPin = pem === undefined ? undefined : certificatePin(pem);
  const key = parseStat(s.get('tlskey')?.[0]);
  const dir = parseStat(s.get('tlsdir')?.[0]);
  return { cert: pem !== undefined, ...(certPin ? { certPin } : {}), ...(key ? { key } : {}), ...(dir ? { dir } : {}) };
}

/** Pure: the facts script's stdout → DeviceFacts. Unknown or missing sections read as "absent". */
export function parseFacts(stdout: string): DeviceFacts {
  const s = sections(stdout);
  if (!s.has('end')) throw new Error('facts output is incomplete (no @end marker)');
  const files: DeviceFacts['files'] = {};
  for (const [name, lines] of s) {
    if (name.startsWith('file ')) {
      const [sha256, meta] = lines;
      const stat = parseStat(meta);
      files[name.slice(5)] = sha256 && stat ? { sha256, ...stat } : undefined;
    }
  }
  for (const [name, lines] of s) {
    const entry = name.startsWith('text ') ? files[name.slice(5)] : undefined;
    if (entry) entry.text = decodeBase64(lines) ?? '';
  }
  const node = s.get('node') ?? [];
  const since = s.get('since')?.[0];
  const configDir = parseStat(s.get('configdir')?.[0]);
  const tls = parseTls(s);
  return {
    os: parseOsRelease(s.get('os') ?? []),
    arch: s.get('arch')?.[0] ?? 'unknown',
    nodeVersion: node[1]?.replace(/^v/, ''),
    nodePath: node[0],
    systemd: s.get('systemd')?.[0] === 'yes',
    files,
    ...(configDir ? { configDir } : {}),
    accounts: parseAccounts(s.get('passwd') ?? [], s.get('group') ?? []),
    polkit: s.get('polkit')?.[0] === 'yes',
    service: {
      enabled: s.get('enabled')?.[0] === 'enabled',
      active: s.get('active')?.[0] === 'active',
      ...(since && since !== '0' ? { activeSince: since } : {}),
    },
    receipt: parseReceipt(decodeBase64(s.get('receipt'))),
    leftovers: s.get('leftovers') ?? [],
    ...(tls ? { tls } : {}),
  };
}
