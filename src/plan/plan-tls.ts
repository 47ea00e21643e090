import { EDGE_LAYOUT } from './layout.js';
import { formatOwnership } from './plan-access.js';
import { formatPin } from '../shared/tls-pin.js';
import type { Change, ChangeState, DesiredEdge, DeviceFacts, Ownership } from './types.js';

/**
 * What apply does about the edge's TLS key: `generate` it on the device (new, unreadable, or rotated with
 * the token), `pin` the key the device has (read over the verified SSH channel), repair its `permissions`,
 * `remove` it (`tls: false`), or nothing.
 */
export type TlsWork = 'none' | 'generate' | 'pin' | 'permissions' | 'remove';

export interface TlsPlan {
  work: TlsWork;
  /** The tls-key resource's change; absent when TLS is off and nothing is on the device. */
  change?: Change;
  /** The device's current pin (from its certificate), when it has a readable one. */
  devicePin?: string;
}

/** key.pem: 0600 root:root for a root edge, 0640 root:<run_as group> so a run_as edge can read it. */
export function keyAccess(desired: DesiredEdge, configGroup: string): Ownership {
  return desired.runAs === 'root' ? { owner: 'root', group: 'root', mode: 0o600 } : { owner: 'root', group: configGroup, mode: 0o640 };
}

const same = (a: Ownership | undefined, b: Ownership) => a !== undefined && a.mode === b.mode && a.owner === b.owner && a.group === b.group;

/** Pure: the tls-key resource from the inventory, the stored pin and the device's facts. */
export function planTls(desired: DesiredEdge, facts: DeviceFacts, access: { key: Ownership; dir: Ownership }): TlsPlan {
  const resource = { type: 'tls-key' as const, device: desired.device };
  const device = facts.tls;
  const devicePin = device?.certPin;
  const before: ChangeState | undefined = device?.key ? { ...device.key, ...(devicePin ? { fingerprint: formatPin(devicePin) } : {}) } : undefined;
  const base = { ...(devicePin ? { devicePin } : {}) };
  if (!desired.tls) {
    if (!device?.cert && !device?.key) return { work: 'none' };
    const reason = 'tls: false: the edge serves plain HTTP; its TLS key and certificate are removed from the device';
    return { ...base, work: 'remove', change: { resource, action: 'delete', reason, ...(before ? { before } : {}) } };
  }
  const after: ChangeState = { ...access.key };
  const generate = (action: 'create' | 'update', reason: string): TlsPlan => ({ ...base, work: 'generate', change: { resource, action, reason, ...(before ? { before } : {}), after } });
  if (!device?.key && !device?.cert) return generate('create', 'no TLS key on the device: one is generated there (the private key never leaves it) and its SHA-256 is pinned in .lanmcp/');
  if (!device.key || !devicePin) return generate('update', `${!device.key ? 'key.pem is missing' : 'cert.pem is not a readable certificate'}: a new key is generated on the device and pinned`);
  if (desired.tls.rotate) return generate('update', `rotated with the token: a new key is generated on the device; the pin ${formatPin(devicePin)} stops working`);
  const pinned = { ...after, fingerprint: formatPin(devicePin) };
  if (desired.tls.pinned === undefined) {
    return { ...base, work: 'pin', change: { resource, action: 'update', reason: `the device's key ${formatPin(devicePin)} is not pinned in .lanmcp/: it is pinned as read over SSH`, ...(before ? { before } : {}), after: pinned } };
  }
  if (desired.tls.pinned !== devicePin) {
    const reason = `the device's key changed: it presents ${formatPin(devicePin)}, .lanmcp/ pins ${formatPin(desired.tls.pinned)}; re-pinned as read over the verified SSH channel`;
    return { ...base, work: 'pin', change: { resource, action: 'update', reason, before: { ...before, fingerprint: formatPin(desired.tls.pinned) }, after: pinned } };
  }
  if (!same(device.key, access.key)) {
    return { ...base, work: 'permissions', change: { resource, action: 'update', reason: `${EDGE_LAYOUT.tls.key} is ${formatOwnership(device.key)}, want ${formatOwnership(access.key)}`, ...(before ? { before } : {}), after: pinned } };
  }
  if (device.dir && !same(device.dir, access.dir)) {
    return { ...base, work: 'permissions', change: { resource, action: 'update', reason: `folder ${EDGE_LAYOUT.tls.dir} is ${formatOwnership(device.dir)}, want ${formatOwnership(access.dir)}`, ...(before ? { before } : {}), after: pinned } };
  }
  return { ...base, work: 'none', change: { resource, action: 'noop', reason: `TLS key pinned (${formatPin(devicePin)})`, after: pinned } };
}
