// Shell steps of the hub phase (run as root over the hub host's SSH connection). Pure: they return scripts.
// Service, rollback and cleanup steps are the edge's (src/apply/remote-steps.ts) with the hub's unit.
import { PREVIOUS_SUFFIX } from '../plan/layout.js';
import { quote } from '../remote/shell.js';
import { HUB_LAYOUT } from './layout.js';

const unit = quote(HUB_LAYOUT.unitName);

/** Folders (private ones 0700 root), leftovers removed, a copy of every file about to change. */
export function hubPrepareScript(step: { leftovers: string[]; keep: string[] }): string {
  return [
    'set -e',
    ...(step.leftovers.length ? [`rm -f ${step.leftovers.map(quote).join(' ')}`] : []),
    `mkdir -p ${HUB_LAYOUT.dirs.map(quote).join(' ')}`,
    `chown root:root ${HUB_LAYOUT.privateDirs.map(quote).join(' ')}`,
    `chmod 700 ${HUB_LAYOUT.privateDirs.map(quote).join(' ')}`,
    ...step.keep.map((path) => `cp -p ${quote(path)} ${quote(path + PREVIOUS_SUFFIX)}`),
  ].join('\n');
}

/** The hub moved away or hub.host was removed: stop it and remove everything lanmcp put there for it (the audit log too). */
export function hubRemovalScript(): string {
  return [
    `systemctl disable --now --quiet ${unit} 2>/dev/null || true`,
    `rm -f ${quote(HUB_LAYOUT.unit.path)} ${quote(HUB_LAYOUT.unit.path + PREVIOUS_SUFFIX)}`,
    `rm -rf ${[...HUB_LAYOUT.dirs, ...HUB_LAYOUT.stateDirs].map(quote).join(' ')}`,
    'systemctl daemon-reload',
    `systemctl reset-failed ${unit} 2>/dev/null || true`,
  ].join('\n');
}
