// Pure: the hub left on a device that is no longer hub.host (moved, or hub.host removed) is uninstalled,
// on a row of its own like any other removal.
import type { Change, DevicePlan } from '../plan/types.js';
import { HUB_LAYOUT } from './layout.js';
import { hubRowName } from './plan-hub.js';
import type { HubFacts } from './types.js';

export function planHubRetirement(host: string, address: string, facts: HubFacts, why: string): DevicePlan {
  const changes: Change[] = [];
  if (facts.service.enabled || facts.service.active) {
    changes.push({ resource: { type: 'service', unit: HUB_LAYOUT.unitName }, action: 'delete', reason: `${why} — stop and disable the hub here` });
  }
  for (const [path, file] of Object.entries(facts.files)) {
    if (file) changes.push({ resource: { type: 'file', path }, action: 'delete', reason: why, before: { sha256: file.sha256, mode: file.mode } });
  }
  for (const path of facts.leftovers) changes.push({ resource: { type: 'file', path }, action: 'delete', reason: `file ${path} was left by an interrupted apply` });
  if (facts.receipt) changes.push({ resource: { type: 'receipt', path: HUB_LAYOUT.receipt.path }, action: 'delete', reason: why });
  return { device: hubRowName(host), address, outcome: changes.length > 0 ? 'remove' : 'unchanged', changes };
}
