import type { Connector } from '../remote/connector.js';
import { quote } from '../remote/shell.js';
import { LanmcpError } from '../shared/errors.js';
import { EDGE_LAYOUT, PREVIOUS_SUFFIX } from '../plan/layout.js';

/** Runs a step as root and turns a non-zero exit into an error naming the step, device and stderr. */
export async function runStep(connector: Connector, step: string, script: string): Promise<void> {
  const result = await connector.exec(script, { become: true, timeoutMs: 60_000 });
  if (result.code !== 0) {
    throw new LanmcpError('E_REMOTE_COMMAND', `${step} failed on ${connector.label} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
  }
}

const unit = quote(EDGE_LAYOUT.unitName);

/** Removes leftovers of an interrupted run, creates the folders, keeps a copy of every file about to change. */
export function prepareScript(leftovers: string[], changedExisting: string[]): string {
  return [
    'set -e',
    ...(leftovers.length ? [`rm -f ${leftovers.map(quote).join(' ')}`] : []),
    `mkdir -p ${EDGE_LAYOUT.dirs.map(quote).join(' ')}`,
    `chmod 700 ${quote('/etc/lanmcp-edge')}`,
    ...changedExisting.map((path) => `cp -p ${quote(path)} ${quote(path + PREVIOUS_SUFFIX)}`),
  ].join('\n');
}

/** daemon-reload when the unit changed, enable when asked, restart (which also starts) when asked. */
export function serviceScript(options: { reload: boolean; enable: boolean; restart: boolean }): string {
  return [
    'set -e',
    ...(options.reload ? ['systemctl daemon-reload'] : []),
    ...(options.enable ? [`systemctl enable --quiet ${unit}`] : []),
    ...(options.restart ? [`systemctl restart ${unit}`] : []),
  ].join('\n');
}

/** Puts the previous files back (or removes files that did not exist) and returns the service to how it was. */
export function rollbackScript(changed: { path: string; existed: boolean }[], service: { wasActive: boolean; wasEnabled: boolean }): string {
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

/** `state: absent`: stop and disable the edge, remove everything lanmcp put on the device. */
export function removalScript(): string {
  return [
    `systemctl disable --now --quiet ${unit} 2>/dev/null || true`,
    `rm -f ${quote(EDGE_LAYOUT.unit.path)}`,
    `rm -rf ${quote(EDGE_LAYOUT.unit.path + '.d')} ${EDGE_LAYOUT.dirs.map(quote).join(' ')}`,
    `find /etc/systemd/system -maxdepth 1 -name '.lanmcp.*' -delete`,
    'systemctl daemon-reload',
    `systemctl reset-failed ${unit} 2>/dev/null || true`,
  ].join('\n');
}
