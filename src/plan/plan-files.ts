import { fingerprint } from '../shared/hash.js';
import { EDGE_LAYOUT } from './layout.js';
import { formatOwnership } from './plan-access.js';
import type { Change, DesiredFile, DeviceFacts, Ownership } from './types.js';

const octal = (mode: number) => mode.toString(8).padStart(3, '0');

/** Where the config may be read from: the group of config.json and the folder it sits in. */
export interface FileAccess {
  group: string;
  dir: Ownership;
}

/** One managed file: content, mode, owner/group (root, and the run_as group for the config) and, for the config, its folder. */
export function planFile(file: DesiredFile, facts: DeviceFacts, access: FileAccess): Change {
  const resource = { type: 'file' as const, path: file.path };
  const current = facts.files[file.path];
  const group = file.readableBy === undefined ? 'root' : access.group;
  const after = { sha256: file.sha256, mode: file.mode, owner: 'root', group, ...(file.showDiff && file.source.kind === 'text' ? { text: file.source.text } : {}) };
  if (!current) return { resource, action: 'create', reason: `file ${file.path} does not exist`, after };
  const before = {
    sha256: current.sha256,
    mode: current.mode,
    ...(current.owner !== undefined ? { owner: current.owner, group: current.group ?? '' } : {}),
    ...(file.showDiff && current.text !== undefined ? { text: current.text } : {}),
  };
  const update = (reason: string): Change => ({ resource, action: 'update', reason, before, after });
  if (file.sha256 === '') return update(`file ${file.path} will carry the new token's hash`);
  if (current.sha256 !== file.sha256) return update(`file ${file.path} content differs (${fingerprint(current.sha256)} → ${fingerprint(file.sha256)})`);
  if (current.mode !== file.mode) return update(`file ${file.path} mode is ${octal(current.mode)}, want ${octal(file.mode)}`);
  // Facts from an older lanmcp have no owner: nothing to compare then.
  if (current.owner !== undefined && (current.owner !== 'root' || current.group !== group)) {
    return update(`file ${file.path} belongs to ${current.owner}:${current.group}, want root:${group}`);
  }
  const dir = file.path === EDGE_LAYOUT.config.path ? folderDrift(facts, access.dir) : undefined;
  if (dir) return update(dir);
  return { resource, action: 'noop', reason: `file ${file.path} is up to date (${fingerprint(file.sha256)})` };
}

/** The config's folder decides whether the edge can reach the file at all, so its drift rewrites the config. */
function folderDrift(facts: DeviceFacts, want: Ownership): string | undefined {
  const current = facts.configDir;
  if (!current || (current.mode === want.mode && current.owner === want.owner && current.group === want.group)) return undefined;
  return `folder ${EDGE_LAYOUT.configDir} is ${formatOwnership(current)}, want ${formatOwnership(want)}`;
}

export function planLeftovers(facts: DeviceFacts): Change[] {
  return facts.leftovers.map((path) => ({ resource: { type: 'file', path }, action: 'delete', reason: `file ${path} was left by an interrupted apply` }));
}
