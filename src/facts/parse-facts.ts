import type { DeviceFacts, Receipt } from '../plan/types.js';

/** Splits the facts script's output into `@section` → lines. */
function sections(stdout: string): Map<string, string[]> {
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

function decodeBase64(lines: string[] | undefined): string | undefined {
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

/** Pure: the facts script's stdout → DeviceFacts. Unknown or missing sections read as "absent". */
export function parseFacts(stdout: string): DeviceFacts {
  const s = sections(stdout);
  if (!s.has('end')) throw new Error('facts output is incomplete (no @end marker)');
  const files: DeviceFacts['files'] = {};
  for (const [name, lines] of s) {
    if (name.startsWith('file ')) {
      const [sha256, mode] = lines;
      files[name.slice(5)] = sha256 && mode ? { sha256, mode: Number.parseInt(mode, 8) } : undefined;
    }
  }
  for (const [name, lines] of s) {
    const entry = name.startsWith('text ') ? files[name.slice(5)] : undefined;
    if (entry) entry.text = decodeBase64(lines) ?? '';
  }
  const node = s.get('node') ?? [];
  const since = s.get('since')?.[0];
  return {
    os: parseOsRelease(s.get('os') ?? []),
    arch: s.get('arch')?.[0] ?? 'unknown',
    nodeVersion: node[1]?.replace(/^v/, ''),
    nodePath: node[0],
    systemd: s.get('systemd')?.[0] === 'yes',
    files,
    service: {
      enabled: s.get('enabled')?.[0] === 'enabled',
      active: s.get('active')?.[0] === 'active',
      ...(since && since !== '0' ? { activeSince: since } : {}),
    },
    receipt: parseReceipt(decodeBase64(s.get('receipt'))),
    leftovers: s.get('leftovers') ?? [],
  };
}
