import { EDGE_LAYOUT, LOG_GROUPS } from './layout.js';
import type { Change, DesiredEdge, DeviceFacts, Ownership } from './types.js';

/**
 * Who may read the edge's config on the device: root alone for a root edge; for a run_as edge, root owns
 * it and the user's primary group reads it (the group useradd --user-group creates when lanmcp makes the user).
 */
export function configAccess(desired: DesiredEdge, facts: DeviceFacts): { group: string; dir: Ownership } {
  if (desired.runAs === 'root') return { group: 'root', dir: { owner: 'root', group: 'root', mode: 0o700 } };
  const group = facts.accounts.users[desired.runAs]?.group ?? desired.runAs;
  return { group, dir: { owner: 'root', group, mode: 0o750 } };
}

/** The groups a run_as user joins on this device: those of LOG_GROUPS that exist. */
export function logGroups(facts: DeviceFacts): string[] {
  return LOG_GROUPS.filter((g) => facts.accounts.groups.includes(g));
}

/** The user the unit on the device runs as now (its `User=` line), if the unit's text was read. */
function installedUser(facts: DeviceFacts): string | undefined {
  return /^User=(\S+)$/m.exec(facts.files[EDGE_LAYOUT.unit.path]?.text ?? '')?.[1];
}

/** A note when the edge leaves a non-root user: lanmcp never deletes accounts (files elsewhere may belong to them). */
function formerUser(desired: DesiredEdge, facts: DeviceFacts): Change[] {
  const previous = installedUser(facts);
  if (previous === undefined || previous === 'root' || previous === desired.runAs) return [];
  const reason = `the edge runs as ${desired.runAs} now; user ${previous} stays on the device (lanmcp never deletes users: \`userdel ${previous}\` if nothing else uses it)`;
  return [{ resource: { type: 'user', name: previous }, action: 'noop', reason }];
}

/** The run_as user: created when missing, added to the log groups; and a note when a former user stays. */
export function planAccount(desired: DesiredEdge, facts: DeviceFacts): Change[] {
  const user = desired.runAs;
  if (user === 'root') return formerUser(desired, facts);
  return [...formerUser(desired, facts), runAsUser(desired, facts)];
}

function runAsUser(desired: DesiredEdge, facts: DeviceFacts): Change {
  const user = desired.runAs;
  const resource = { type: 'user' as const, name: user };
  const wanted = logGroups(facts);
  const current = facts.accounts.users[user];
  if (!current) {
    const reason = `user ${user} does not exist: a system user is created (no home, no login shell)${wanted.length ? ` in ${wanted.join(', ')} to read logs` : ''}`;
    return { resource, action: 'create', reason, after: { groups: [user, ...wanted] } };
  }
  const missing = wanted.filter((g) => !current.groups.includes(g));
  if (missing.length > 0) {
    const reason = `user ${user} is not in ${missing.join(', ')} (needed to read logs)`;
    return { resource, action: 'update', reason, before: { groups: current.groups }, after: { groups: [...current.groups, ...missing] } };
  }
  return { resource, action: 'noop', reason: `user ${user} exists (uid ${current.uid})${wanted.length ? ` and is in ${wanted.join(', ')}` : ''}` };
}

/** The polkit rule: written when run_as has services, removed when it is on the device and no longer wanted. */
export function planPolkitRule(desired: DesiredEdge, facts: DeviceFacts): Change[] {
  const path = EDGE_LAYOUT.polkitRule.path;
  const resource = { type: 'file' as const, path };
  const current = facts.files[path];
  const rule = desired.polkitRule;
  if (rule === undefined) {
    if (!current) return [];
    const why = desired.runAs === 'root' ? 'the edge runs as root now, which controls units without polkit' : `policy.services is empty: ${desired.runAs} may control no unit`;
    return [{ resource, action: 'delete', reason: `${why}; the rule is removed`, before: { sha256: current.sha256, mode: current.mode } }];
  }
  const after = { sha256: rule.sha256, mode: rule.mode, ...(rule.source.kind === 'text' ? { text: rule.source.text } : {}) };
  if (!current) return [{ resource, action: 'create', reason: `file ${path} does not exist: ${desired.runAs} may not control its services yet`, after }];
  const before = { sha256: current.sha256, mode: current.mode, ...(current.text !== undefined ? { text: current.text } : {}) };
  if (current.sha256 !== rule.sha256) return [{ resource, action: 'update', reason: `file ${path} differs from the rule for policy.services`, before, after }];
  const owned = current.owner === undefined || (current.owner === 'root' && current.group === 'root');
  if (current.mode !== rule.mode || !owned) {
    return [{ resource, action: 'update', reason: `file ${path} is ${formatOwnership(current)}, want 0644 root:root`, before, after }];
  }
  return [{ resource, action: 'noop', reason: `file ${path} grants ${desired.runAs} exactly policy.services` }];
}

/** `0640 root:lanmcp` (owner and group only when the facts have them). */
export function formatOwnership(state: { mode: number; owner?: string; group?: string }): string {
  const mode = state.mode.toString(8).padStart(4, '0');
  return state.owner === undefined ? mode : `${mode} ${state.owner}:${state.group ?? '?'}`;
}
