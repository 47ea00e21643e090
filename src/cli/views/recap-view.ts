import type { DeviceResult } from '../../apply/execute-device.js';

/** Ansible-style recap: `lab1 : ok=6 changed=6 unreachable=0 failed=0`, then the reason for each failure. */
export function renderRecap(results: DeviceResult[]): string {
  const width = Math.max(0, ...results.map((r) => r.device.length));
  const lines = results.map((r) => {
    const unreachable = r.status === 'unreachable' ? 1 : 0;
    const failed = r.status === 'failed' ? 1 : 0;
    return `${r.device.padEnd(width)} : ok=${r.ok} changed=${r.changed} unreachable=${unreachable} failed=${failed}`;
  });
  const problems = results.filter((r) => r.error).map((r) => `${r.device}: error ${r.error!.code}: ${r.error!.message}${r.error!.hint ? `\n  hint: ${r.error!.hint}` : ''}`);
  return ['', 'RECAP', ...lines, ...(problems.length ? ['', ...problems] : []), ''].join('\n');
}
