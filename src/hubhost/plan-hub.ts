// The pure heart of the hub phase: (desired, facts) → the hub host's changes, in the DevicePlan shape
// `diff` renders for every device, on a row of its own: `hub on <device>`.
import type { Change, DevicePlan, Ownership } from '../plan/types.js';
import { fingerprint } from '../shared/hash.js';
import { HUB_LAYOUT } from './layout.js';
import type { DesiredHub, HubFacts, HubFile } from './types.js';

const MIN_NODE_MAJOR = 18;
/** LoadCredential= (how the hub's dynamic user gets its root-only config) came with systemd 247. */
const MIN_SYSTEMD = 247;
/**
 * systemd refuses a credential over 1 MiB (LoadCredential=, how the hub gets its config), and the hub would
 * never start. Blocking at 900 KiB leaves room for the growth of one more apply's tokens and pins.
 */
export const MAX_CONFIG_BYTES = 900 * 1024;
const PRIVATE_DIR: Ownership = { owner: 'root', group: 'root', mode: 0o700 };
const octal = (mode: number) => mode.toString(8).padStart(3, '0');

/** The plan row's name: the hub is not a device of its own, so its row names the device it runs on. */
export const hubRowName = (host: string) => `hub on ${host}`;

export function planHub(desired: DesiredHub, facts: HubFacts): DevicePlan {
  const base = { device: hubRowName(desired.host), address: desired.address };
  const blocked = checkConfigSize(desired) ?? checkRequirements(facts);
  if (blocked) return { ...base, outcome: 'blocked', changes: [blocked.change], error: blocked.error };
  const changes: Change[] = [
    ...desired.files.map((file) => planHubFile(file, facts, desired.pendingCredentials)),
    ...facts.leftovers.map((path): Change => ({ resource: { type: 'file', path }, action: 'delete', reason: `file ${path} was left by an interrupted apply` })),
  ];
  changes.push(...planService(desired, facts, changes));
  changes.push(planReceipt(desired, facts, changes));
  const installed = Object.values(facts.files).some(Boolean);
  const changed = changes.some((c) => c.action !== 'noop');
  return { ...base, outcome: !installed ? 'provision' : changed ? 'update' : 'unchanged', changes };
}

function checkConfigSize(desired: DesiredHub): { change: Change; error: NonNullable<DevicePlan['error']> } | undefined {
  const config = desired.files.find((f) => f.path === HUB_LAYOUT.config.path);
  const bytes = config?.source.kind === 'text' ? Buffer.byteLength(config.source.text) : 0;
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  const message = `the hub's config would be ${kib(bytes)}, over the ${kib(MAX_CONFIG_BYTES)} lanmcp allows: systemd hands it to the hub as a credential (LoadCredential=), which is limited to 1 MiB`;
  return {
    change: { resource: { type: 'file', path: HUB_LAYOUT.config.path }, action: 'blocked', reason: message },
    error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'split the devices between hubs (one inventory each), or shorten what every device repeats (descriptions, policy command lists)' },
  };
}

function checkRequirements(facts: HubFacts): { change: Change; error: NonNullable<DevicePlan['error']> } | undefined {
  if (!facts.systemd) {
    const message = 'systemd is not running on the hub host (no /run/systemd/system)';
    return { change: { resource: { type: 'host', requirement: 'systemd' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'hub.host must be a systemd-based device' } };
  }
  if (facts.systemdVersion !== undefined && facts.systemdVersion < MIN_SYSTEMD) {
    const message = `systemd ${facts.systemdVersion} on the hub host is too old for the hub's unit (LoadCredential= needs systemd ≥ ${MIN_SYSTEMD})`;
    return { change: { resource: { type: 'host', requirement: 'systemd' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'pick a newer device for hub.host (Debian 11+, Ubuntu 22.04+, Raspberry Pi OS 11+)' } };
  }
  const major = Number.parseInt(facts.nodeVersion ?? '', 10);
  if (Number.isNaN(major) || major < MIN_NODE_MAJOR) {
    const found = facts.nodeVersion ? `Node.js ${facts.nodeVersion} at ${facts.nodePath}` : 'no `node` on PATH';
    const message = `Node.js ≥ ${MIN_NODE_MAJOR} is required to run the hub; found ${found}`;
    return { change: { resource: { type: 'host', requirement: 'node' }, action: 'blocked', reason: message }, error: { code: 'E_DEVICE_UNSUPPORTED', message, hint: 'install Node.js ≥ 18 on the hub host (Debian/Raspberry Pi OS: `apt install nodejs`)' } };
  }
  return undefined;
}

/** One file: content (as a fingerprint), mode, owner root:root, and for the config its private folder. */
export function planHubFile(file: HubFile, facts: HubFacts, pendingCredentials: readonly string[]): Change {
  const resource = { type: 'file' as const, path: file.path };
  const current = facts.files[file.path];
  const after = { sha256: file.sha256, mode: file.mode, owner: 'root', group: 'root', ...(file.showDiff && file.source.kind === 'text' ? { text: file.source.text } : {}) };
  const pending = `it will carry the new edge credentials (token, TLS pin) of ${pendingCredentials.join(', ')}, issued by this apply`;
  if (!current) return { resource, action: 'create', reason: `file ${file.path} does not exist${file.sha256 === '' ? `; ${pending}` : ''}`, after };
  const before = { sha256: current.sha256, mode: current.mode, owner: current.owner, group: current.group, ...(file.showDiff && current.text !== undefined ? { text: current.text } : {}) };
  const update = (reason: string): Change => ({ resource, action: 'update', reason, before, after });
  if (file.sha256 === '') return update(`file ${file.path} changes: ${pending}`);
  if (current.sha256 !== file.sha256) return update(`file ${file.path} content differs (${fingerprint(current.sha256)} → ${fingerprint(file.sha256)})`);
  if (current.mode !== file.mode) return update(`file ${file.path} mode is ${octal(current.mode)}, want ${octal(file.mode)}`);
  if (current.owner !== 'root' || current.group !== 'root') return update(`file ${file.path} belongs to ${current.owner}:${current.group}, want root:root`);
  const dir = file.path === HUB_LAYOUT.config.path ? privateDirDrift(facts) : undefined;
  if (dir) return update(dir);
  return { resource, action: 'noop', reason: `file ${file.path} is up to date (${fingerprint(file.sha256)})` };
}

/** The config's folder must stay root-only (the audit log is in the unit's StateDirectory=): drift rewrites the config, which fixes it. */
function privateDirDrift(facts: HubFacts): string | undefined {
  for (const dir of HUB_LAYOUT.privateDirs) {
    const current = facts.dirs[dir];
    if (!current) return `folder ${dir} is missing`;
    if (current.mode !== PRIVATE_DIR.mode || current.owner !== 'root' || current.group !== 'root') {
      return `folder ${dir} is ${octal(current.mode)} ${current.owner}:${current.group}, want 700 root:root`;
    }
  }
  return undefined;
}

/** Restarts when a file changed, or when the running service predates the files on disk (per the receipt). */
function planService(desired: DesiredHub, facts: HubFacts, planned: Change[]): Change[] {
  const resource = { type: 'service' as const, unit: HUB_LAYOUT.unitName };
  const hubFiles = new Set(desired.files.map((f) => f.path));
  const changedFiles = planned.filter((c) => c.resource.type === 'file' && hubFiles.has(c.resource.path) && (c.action === 'create' || c.action === 'update')).map((c) => (c.resource as { path: string }).path);
  const stale = desired.files.filter((f) => facts.files[f.path] && facts.receipt?.files[f.path] !== facts.files[f.path]!.sha256).map((f) => f.path);
  const changes: Change[] = [];
  if (!facts.service.enabled) changes.push({ resource, action: 'enable', reason: `${HUB_LAYOUT.unitName} is not enabled at boot` });
  if (!facts.service.active) changes.push({ resource, action: 'start', reason: `${HUB_LAYOUT.unitName} is not running` });
  else if (changedFiles.length > 0) changes.push({ resource, action: 'restart', reason: `changed: ${changedFiles.join(', ')}` });
  else if (stale.length > 0) changes.push({ resource, action: 'restart', reason: `running service predates ${stale.join(', ')} (not in the receipt: an earlier apply did not finish)` });
  if (changes.length === 0) changes.push({ resource, action: 'noop', reason: `${HUB_LAYOUT.unitName} is enabled and running the current files` });
  return changes;
}

function planReceipt(desired: DesiredHub, facts: HubFacts, changes: Change[]): Change {
  const resource = { type: 'receipt' as const, path: HUB_LAYOUT.receipt.path };
  if (!facts.receipt) return { resource, action: 'create', reason: 'no hub receipt on the device' };
  if (changes.some((c) => c.action !== 'noop')) return { resource, action: 'update', reason: 'records the files of this apply' };
  if (facts.receipt.lanmcp_version !== desired.version) return { resource, action: 'update', reason: `receipt is from lanmcp ${facts.receipt.lanmcp_version}, this is ${desired.version}` };
  return { resource, action: 'noop', reason: `receipt matches (lanmcp ${desired.version})` };
}
