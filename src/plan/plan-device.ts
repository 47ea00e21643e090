import { fingerprint } from '../shared/hash.js';
import { EDGE_LAYOUT } from './layout.js';
import { configAccess, planAccount, planPolkitRule } from './plan-access.js';
import { planFile, planLeftovers } from './plan-files.js';
import { keyAccess, planTls } from './plan-tls.js';
import type { Change, DesiredEdge, DeviceFacts, DevicePlan } from './types.js';

const MIN_NODE_MAJOR = 18;

/** The pure heart: (desired, facts) → the changes that make the device match, each with a reason. */
export function planDevice(desired: DesiredEdge, facts: DeviceFacts): DevicePlan {
  const base = { device: desired.device, address: desired.address };
  if (desired.state === 'absent') return { ...base, ...planRemoval(desired, facts) };

  const blocked = checkRequirements(desired, facts);
  if (blocked) return { ...base, outcome: 'blocked', changes: [blocked.change], error: blocked.error };

  const access = configAccess(desired, facts);
  const changes: Change[] = [];
  changes.push(...planToken(desired));
  const tls = planTls(desired, facts, { key: keyAccess(desired, access.group), dir: access.dir });
  if (tls.change) changes.push(tls.change);
  changes.push(...planAccount(desired, facts));
  changes.push(...desired.files.map((file) => planFile(file, facts, access)));
  changes.push(...planPolkitRule(desired, facts));
  changes.push(...planLeftovers(facts));
  changes.push(...planService(desired, facts, changes));
  changes.push(planReceipt(desired, facts, changes));

  const installed = Object.values(facts.files).some(Boolean) || facts.receipt !== undefined;
  const changed = changes.some((c) => c.action !== 'noop');
  return { ...base, outcome: !installed ? 'provision' : changed ? 'update' : 'unchanged', changes };
}

function planToken(desired: DesiredEdge): Change[] {
  const resource = { type: 'token' as const, device: desired.device };
  if (desired.tokenSha256 === undefined || desired.tokenStatus === 'new') {
    return [{ resource, action: 'create', reason: 'no token for this device in .lanmcp/: a new one is issued (only its SHA-256 goes to the device)' }];
  }
  if (desired.tokenStatus === 'rotated') {
    return [{ resource, action: 'update', reason: `token rotated (${fingerprint(desired.tokenSha256)}); the old one stops working` }];
  }
  return [];
}

function checkRequirements(desired: DesiredEdge, facts: DeviceFacts): { change: Change; error: DevicePlan['error'] } | undefined {
  if (!facts.systemd) {
    const message = 'systemd is not running on this device (no /run/systemd/system)';
    return { change: { resource: { type: 'host', requirement: 'systemd' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'lanmcp runs the edge as a systemd service; use a systemd-based OS' } };
  }
  const major = Number.parseInt(facts.nodeVersion ?? '', 10);
  if (Number.isNaN(major) || major < MIN_NODE_MAJOR) {
    const found = facts.nodeVersion ? `Node.js ${facts.nodeVersion} at ${facts.nodePath}` : 'no `node` on PATH';
    const message = `Node.js ≥ ${MIN_NODE_MAJOR} is required to run the edge; found ${found}`;
    return { change: { resource: { type: 'host', requirement: 'node' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'install Node.js ≥ 18 on this device (Debian/Raspberry Pi OS: `apt install nodejs`)' } };
  }
  // Provisioning without the rule would leave an edge that cannot do what the inventory promises.
  if (desired.polkitRule && !facts.polkit) {
    const message = `policy.services lets ${desired.runAs} control units through polkit, which is not installed on this device`;
    return { change: { resource: { type: 'host', requirement: 'polkit' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'install polkit on this device (Debian/Raspberry Pi OS 12: `apt install polkitd`), or leave policy.services empty' } };
  }
  return undefined;
}

/** Restart is decided from hashes on the device vs the receipt, so a run that died after writing still restarts. */
function planService(desired: DesiredEdge, facts: DeviceFacts, planned: Change[]): Change[] {
  const resource = { type: 'service' as const, unit: EDGE_LAYOUT.unitName };
  const changedFiles = restartCauses(desired, planned);
  const staleFiles = desired.files.filter((f) => facts.files[f.path] && facts.receipt?.files[f.path] !== facts.files[f.path]!.sha256).map((f) => f.path);
  const changes: Change[] = [];
  if (!facts.service.enabled) changes.push({ resource, action: 'enable', reason: `${EDGE_LAYOUT.unitName} is not enabled at boot` });
  if (!facts.service.active) {
    changes.push({ resource, action: 'start', reason: `${EDGE_LAYOUT.unitName} is not running` });
  } else if (changedFiles.length > 0) {
    changes.push({ resource, action: 'restart', reason: `changed: ${changedFiles.join(', ')}` });
  } else if (staleFiles.length > 0) {
    changes.push({ resource, action: 'restart', reason: `running service predates ${staleFiles.join(', ')} (not in the receipt: an earlier apply did not finish)` });
  }
  if (changes.length === 0) changes.push({ resource, action: 'noop', reason: `${EDGE_LAYOUT.unitName} is enabled and running the current files` });
  return changes;
}

/** What a running edge must restart for: its own files, and new groups for its user (taken at process start). The polkit rule is reloaded by polkitd. */
function restartCauses(desired: DesiredEdge, planned: Change[]): string[] {
  const edgeFiles = new Set(desired.files.map((f) => f.path));
  return planned.flatMap((c) => {
    if (c.action === 'noop' || c.action === 'delete') return [];
    if (c.resource.type === 'file' && edgeFiles.has(c.resource.path)) return [c.resource.path];
    if (c.resource.type === 'user' && c.action === 'update') return [`groups of user ${c.resource.name}`];
    // A key generated by this apply (its fingerprint is not known yet); re-pinning or permissions need no restart.
    if (c.resource.type === 'tls-key' && c.after?.fingerprint === undefined) return ['TLS key'];
    return [];
  });
}

function planReceipt(desired: DesiredEdge, facts: DeviceFacts, changes: Change[]): Change {
  const resource = { type: 'receipt' as const, path: EDGE_LAYOUT.receipt.path };
  if (!facts.receipt) return { resource, action: 'create', reason: 'no receipt on the device' };
  if (changes.some((c) => c.action !== 'noop')) return { resource, action: 'update', reason: 'records the files and token of this apply' };
  if (facts.receipt.lanmcp_version !== desired.version) {
    return { resource, action: 'update', reason: `receipt is from lanmcp ${facts.receipt.lanmcp_version}, this is ${desired.version}` };
  }
  return { resource, action: 'noop', reason: `receipt matches (lanmcp ${desired.version})` };
}

function planRemoval(desired: DesiredEdge, facts: DeviceFacts): Pick<DevicePlan, 'outcome' | 'changes'> {
  const changes: Change[] = [];
  if (facts.service.enabled || facts.service.active) {
    changes.push({ resource: { type: 'service', unit: EDGE_LAYOUT.unitName }, action: 'delete', reason: 'state: absent — stop and disable the edge' });
  }
  for (const [path, file] of Object.entries(facts.files)) {
    if (file) changes.push({ resource: { type: 'file', path }, action: 'delete', reason: 'state: absent', before: { sha256: file.sha256, mode: file.mode } });
  }
  changes.push(...planLeftovers(facts));
  if (facts.tls?.cert || facts.tls?.key) changes.push({ resource: { type: 'tls-key', device: desired.device }, action: 'delete', reason: 'state: absent — the TLS key and certificate are removed with the edge' });
  if (facts.receipt) changes.push({ resource: { type: 'receipt', path: EDGE_LAYOUT.receipt.path }, action: 'delete', reason: 'state: absent' });
  if (desired.tokenSha256 !== undefined) changes.push({ resource: { type: 'token', device: desired.device }, action: 'delete', reason: 'state: absent — the local token is revoked' });
  return { outcome: changes.length > 0 ? 'remove' : 'unchanged', changes };
}
