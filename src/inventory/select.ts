// `--limit` patterns: a device name, a group, a tag, a glob (`*`, `?`) over those, `all`, a comma-separated
// list of them, and `!pattern` to leave devices out. A pattern that matches nothing is a diagnostic,
// not a silent no-op: a typo must never turn into "0 devices changed".
import type { Diagnostic } from '../shared/diagnostics.js';
import { didYouMean } from './suggest.js';
import type { Device } from './types.js';

export interface Selection {
  devices: Device[];
  diagnostics: Diagnostic[];
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Names of the devices one (non-negated) pattern selects. */
function matchPattern(pattern: string, devices: readonly Device[], groups: Record<string, string[]>): Set<string> {
  if (pattern === 'all') return new Set(devices.map((d) => d.name));
  const test = /[*?]/.test(pattern) ? (name: string) => globToRegExp(pattern).test(name) : (name: string) => name === pattern;
  const names = new Set<string>();
  for (const device of devices) {
    if (test(device.name) || device.tags.some(test)) names.add(device.name);
  }
  for (const [group, members] of Object.entries(groups)) {
    if (test(group)) members.forEach((member) => names.add(member));
  }
  return names;
}

function noMatch(pattern: string, column: number, message: string, hint: string | undefined): Diagnostic {
  return {
    code: 'E_LIMIT_NO_MATCH',
    severity: 'error',
    message,
    file: '--limit',
    line: 1,
    column,
    path: pattern,
    ...(hint ? { hint } : {}),
  };
}

/** The devices `limit` selects (all when `limit` is undefined), in inventory order, plus a diagnostic per pattern matching nothing. */
export function selectDevices(devices: Device[], limit: string | undefined, groups: Record<string, string[]>): Selection {
  if (limit === undefined) return { devices: [...devices], diagnostics: [] };
  const known = [...devices.map((d) => d.name), ...Object.keys(groups), ...devices.flatMap((d) => d.tags)];
  const included = new Set<string>();
  const excluded = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  let offset = 0;
  let positives = 0;
  for (const raw of limit.split(',')) {
    const column = offset + raw.length - raw.trimStart().length + 1;
    offset += raw.length + 1;
    const negated = raw.trim().startsWith('!');
    const pattern = raw.trim().replace(/^!/, '');
    if (pattern === '') continue;
    const names = matchPattern(pattern, devices, groups);
    if (names.size === 0) {
      const hint = didYouMean(pattern, known) ?? `known groups: ${Object.keys(groups).join(', ') || 'none'}`;
      diagnostics.push(noMatch(pattern, column, `--limit pattern "${pattern}" matches no host, group or tag`, hint));
    }
    if (!negated) positives++;
    names.forEach((name) => (negated ? excluded : included).add(name));
  }
  const base = positives === 0 ? devices : devices.filter((d) => included.has(d.name));
  const selected = base.filter((d) => !excluded.has(d.name));
  if (selected.length === 0 && diagnostics.length === 0) {
    diagnostics.push(noMatch(limit, 1, `--limit "${limit}" selects no device`, 'check the exclusions (!pattern) and the list'));
  }
  return { devices: diagnostics.length > 0 ? [] : selected, diagnostics };
}
