import type { Connector } from '../remote/connector.js';
import { quote } from '../remote/shell.js';
import { LanmcpError } from '../shared/errors.js';
import { EDGE_LAYOUT, PREVIOUS_SUFFIX } from '../plan/layout.js';
import type { Ownership } from '../plan/types.js';

/** Runs a step as root and turns a non-zero exit into an error naming the step, device and stderr. */
export async function runStep(connector: Connector, step: string, script: string): Promise<void> {
  const result = await connector.exec(script, { become: true, timeoutMs: 60_000 });
  if (result.code !== 0) {
    throw new LanmcpError('E_REMOTE_COMMAND', `${step} failed on ${connector.label} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
  }
}

const unit = quote(EDGE_LAYOUT.unitName);

/** The unit a step works on: the edge's unless told (the hub on hub.host reuses these steps with its own). */
export interface UnitOption {
  unitName?: string;
}

/** The run_as user to create when missing and the groups it joins (for `logs`). */
export interface AccountStep {
  user: string;
  groups: string[];
}

export interface PrepareStep {
  /** Files an interrupted run left behind. */
  leftovers: string[];
  /** Existing files about to change or go: a copy is kept for rollback until the check passes. */
  keep: string[];
  /** Files to remove now (after their copy is kept). */
  remove: string[];
  account?: AccountStep;
  /** /etc/lanmcp-edge: 0700 root:root, or 0750 root:<group> for a run_as edge. */
  configDir: Ownership;
}

/** Cleans up, creates the run_as user, creates the folders with their owners, keeps a copy of every file about to change. */
export function prepareScript(step: PrepareStep): string {
  const dir = quote(EDGE_LAYOUT.configDir);
  return [
    'set -e',
    ...(step.leftovers.length ? [`rm -f ${step.leftovers.map(quote).join(' ')}`] : []),
    ...(step.account ? accountScript(step.account) : []),
    `mkdir -p ${EDGE_LAYOUT.dirs.map(quote).join(' ')}`,
    `chown ${quote(`${step.configDir.owner}:${step.configDir.group}`)} ${dir}`,
    `chmod ${step.configDir.mode.toString(8)} ${dir}`,
    ...step.keep.map((path) => `cp -p ${quote(path)} ${quote(path + PREVIOUS_SUFFIX)}`),
    ...(step.remove.length ? [`rm -f ${step.remove.map(quote).join(' ')}`] : []),
  ].join('\n');
}

/**
 * A system user without home or login shell (its own group, or the existing group of its name), then the
 * log groups. Both commands are idempotent, so a rerun after a failure is safe.
 */
export function accountScript(account: AccountStep): string[] {
  const user = quote(account.user);
  const useradd = `useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin`;
  return [
    `if ! id -u ${user} >/dev/null 2>&1; then`,
    `  if getent group ${user} >/dev/null; then ${useradd} --gid ${user} ${user}; else ${useradd} --user-group ${user}; fi`,
    'fi',
    ...(account.groups.length ? [`usermod -a -G ${quote(account.groups.join(','))} ${user}`] : []),
  ];
}

/**
 * Group of freshly written files (putFile makes them root:root), daemon-reload when the unit changed,
 * enable when asked, restart (which also starts) when asked.
 */
export function serviceScript(options: { groups?: { path: string; group: string }[]; reload: boolean; enable: boolean; restart: boolean } & UnitOption): string {
  const unit = quote(options.unitName ?? EDGE_LAYOUT.unitName);
  return [
    'set -e',
    ...(options.groups ?? []).map(({ path, group }) => `chgrp ${quote(group)} ${quote(path)}`),
    ...(options.reload ? ['systemctl daemon-reload'] : []),
    // --no-reload: the daemon-reload above (when the unit changed) already did it; a second costs ~150 ms a device.
    ...(options.enable ? [`systemctl enable --quiet --no-reload ${unit}`] : []),
    ...(options.restart ? [`systemctl restart ${unit}`] : []),
  ].join('\n');
}

/** Puts the previous files back (or removes files that did not exist) and returns the service to how it was. */
export function rollbackScript(changed: { path: string; existed: boolean }[], service: { wasActive: boolean; wasEnabled: boolean } & UnitOption): string {
  const unit = quote(service.unitName ?? EDGE_LAYOUT.unitName);
  return [
    ...changed.map(({ path, existed }) => (existed ? `mv -f ${quote(path + PREVIOUS_SUFFIX)} ${quote(path)}` : `rm -f ${quote(path)}`)),
    'systemctl daemon-reload',
    service.wasActive ? `systemctl restart ${unit}` : `systemctl stop ${unit} 2>/dev/null || true`,
    ...(service.wasEnabled ? [] : [`systemctl disable --quiet ${unit} 2>/dev/null || true`]),
  ].join('\n');
}

export function cleanupScript(paths: string[]): string {
  return paths.length ? `rm -f ${paths.map((p) => quote(p + PREVIOUS_SUFFIX)).join(' ')}` : 'true';
}

/** `state: absent`: stop and disable the edge, remove everything lanmcp put on the device (a run_as user stays). */
export function removalScript(): string {
  return [
    `systemctl disable --now --quiet ${unit} 2>/dev/null || true`,
    `rm -f ${quote(EDGE_LAYOUT.unit.path)} ${quote(EDGE_LAYOUT.polkitRule.path)}`,
    `rm -rf ${quote(EDGE_LAYOUT.unit.path + '.d')} ${EDGE_LAYOUT.dirs.map(quote).join(' ')}`,
    `find /etc/systemd/system -maxdepth 1 -name '.lanmcp.*' -delete`,
    `rm -f ${quote(EDGE_LAYOUT.polkitRule.path + PREVIOUS_SUFFIX)}`,
    `find /etc/polkit-1/rules.d -maxdepth 1 -name '.lanmcp.*' -delete 2>/dev/null || true`,
    'systemctl daemon-reload',
    `systemctl reset-failed ${unit} 2>/dev/null || true`,
  ].join('\n');
}
