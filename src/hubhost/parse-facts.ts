import { decodeBase64, parseStat, sections } from '../facts/parse-facts.js';
import type { HubFacts } from './types.js';

function parseReceipt(text: string | undefined): HubFacts['receipt'] {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { lanmcp_version?: unknown; files?: unknown };
    if (typeof value.lanmcp_version !== 'string' || typeof value.files !== 'object' || value.files === null) return undefined;
    return { lanmcp_version: value.lanmcp_version, files: value.files as Record<string, string> };
  } catch {
    // A corrupt receipt reads as none: the next apply restarts the hub and writes it again.
    return undefined;
  }
}

/** Pure: the hub facts script's stdout → HubFacts. */
export function parseHubFacts(stdout: string): HubFacts {
  const s = sections(stdout);
  if (!s.has('end')) throw new Error('hub facts output is incomplete (no @end marker)');
  const files: HubFacts['files'] = {};
  const dirs: HubFacts['dirs'] = {};
  for (const [name, lines] of s) {
    if (name.startsWith('file ')) {
      const stat = parseStat(lines[1]);
      files[name.slice(5)] = lines[0] && stat ? { sha256: lines[0], ...stat } : undefined;
    } else if (name.startsWith('dir ')) {
      dirs[name.slice(4)] = parseStat(lines[0]);
    }
  }
  for (const [name, lines] of s) {
    const entry = name.startsWith('text ') ? files[name.slice(5)] : undefined;
    if (entry) entry.text = decodeBase64(lines) ?? '';
  }
  const node = s.get('node') ?? [];
  const since = s.get('since')?.[0];
  const systemdVersion = Number(/^systemd (\d+)/.exec(s.get('systemdversion')?.[0] ?? '')?.[1]);
  return {
    nodePath: node[0],
    nodeVersion: node[1]?.replace(/^v/, ''),
    systemd: s.get('systemd')?.[0] === 'yes',
    ...(Number.isInteger(systemdVersion) ? { systemdVersion } : {}),
    files,
    dirs,
    service: { enabled: s.get('enabled')?.[0] === 'enabled', active: s.get('active')?.[0] === 'active', ...(since && since !== '0' ? { activeSince: since } : {}) },
    receipt: parseReceipt(decodeBase64(s.get('receipt'))),
    leftovers: s.get('leftovers') ?? [],
  };
}
