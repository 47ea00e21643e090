import type { Artifacts } from './artifacts.js';
import type { DeviceInspection } from './inspect.js';
import { cleanupScript, prepareScript, removalScript, rollbackScript, runStep, serviceScript, type AccountStep } from './remote-steps.js';
import { generateTlsKey, tlsPermissionsScript, tlsRemovalScript } from './tls-steps.js';
import { verifyEdge, type VerifyResult } from './verify.js';
import { EDGE_LAYOUT } from '../plan/layout.js';
import { configAccess, logGroups } from '../plan/plan-access.js';
import { keyAccess, planTls, type TlsPlan } from '../plan/plan-tls.js';
import type { Change, DesiredEdge, DesiredFile, DeviceFacts, Receipt } from '../plan/types.js';
import type { Connector } from '../remote/connector.js';
import type { TokenStore } from '../secrets/token-store.js';
import { isLanmcpError, LanmcpError } from '../shared/errors.js';
import { fingerprint } from '../shared/hash.js';

export interface DeviceResult {
  device: string;
  status: 'ok' | 'changed' | 'failed' | 'unreachable';
  /** Resources in the desired state afterwards (Ansible's `ok`, which includes `changed`). */
  ok: number;
  changed: number;
  error?: { code: string; message: string; hint?: string };
  /** True when a failed check put the previous files back. */
  rolledBack?: boolean;
  verify?: VerifyResult;
}

export interface ExecuteContext {
  artifacts: Artifacts;
  tokens: TokenStore;
  /** Progress for the renderer: one short line per step. */
  report: (step: string) => void;
}

const isChange = (c: Change) => c.action !== 'noop';

type ReadyInspection = DeviceInspection & { connector: Connector; desired: DesiredEdge; facts: DeviceFacts };

const isReady = (i: DeviceInspection): i is ReadyInspection => Boolean(i.connector && i.desired && i.facts);

/** The result of a device that needs no execution: nothing to do, or it could not be inspected. */
export function settledResult(inspection: DeviceInspection): DeviceResult | undefined {
  const { plan } = inspection;
  const base = { device: plan.device, ok: 0, changed: 0 };
  if (plan.outcome === 'unreachable' || plan.outcome === 'failed' || plan.outcome === 'blocked' || !isReady(inspection)) {
    return { ...base, status: plan.outcome === 'unreachable' ? 'unreachable' : 'failed', ...(plan.error ? { error: plan.error } : {}) };
  }
  return plan.changes.some(isChange) ? undefined : { ...base, status: 'ok', ok: plan.changes.length };
}

/** Executes one device's plan over its open connection. Never throws for device problems: returns them. */
export async function executeDevice(inspection: DeviceInspection, context: ExecuteContext): Promise<DeviceResult> {
  const settled = settledResult(inspection);
  if (settled || !isReady(inspection)) return settled!;
  const { plan, connector, desired } = inspection;
  const changes = plan.changes.filter(isChange);
  try {
    if (desired.state === 'absent') {
      context.report('removing the edge');
      await runStep(connector, 'removing the edge', removalScript());
      await context.tokens.remove(desired.device);
      return { device: plan.device, status: 'changed', ok: plan.changes.length, changed: changes.length };
    }
    return await converge(inspection, changes, context);
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    return { device: plan.device, status: 'failed', ok: 0, changed: 0, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
  }
}

/** The files this apply writes or removes: the edge's own (desired.files) and the polkit rule. */
interface FileWork {
  /** Desired files with a create/update change, plus the polkit rule when it is written. */
  write: DesiredFile[];
  /** The polkit rule when it is removed (kept aside until the check passes). */
  remove: string[];
  /** Files an interrupted run left. */
  leftovers: string[];
}

function fileWork(desired: DesiredEdge, changes: Change[]): FileWork {
  const changed = (path: string, actions: Change['action'][]) => changes.some((c) => c.resource.type === 'file' && c.resource.path === path && actions.includes(c.action));
  const candidates = [...desired.files, ...(desired.polkitRule ? [desired.polkitRule] : [])];
  const rule = EDGE_LAYOUT.polkitRule.path;
  const deletes = changes.filter((c) => c.action === 'delete' && c.resource.type === 'file').map((c) => (c.resource as { path: string }).path);
  return {
    write: candidates.filter((f) => changed(f.path, ['create', 'update'])),
    remove: deletes.filter((path) => path === rule),
    leftovers: deletes.filter((path) => path !== rule),
  };
}

/** The run_as user step when the plan creates the user or adds groups. */
function accountStep(desired: DesiredEdge, facts: DeviceFacts, changes: Change[]): AccountStep | undefined {
  const planned = changes.some((c) => c.resource.type === 'user' && (c.action === 'create' || c.action === 'update'));
  return planned ? { user: desired.runAs, groups: logGroups(facts) } : undefined;
}

/** key.pem and cert.pem when this run generates a new key: kept for rollback like the edge's files. */
function tlsFiles(tls: TlsPlan, facts: DeviceFacts): { path: string; existed: boolean }[] {
  if (tls.work !== 'generate') return [];
  return [{ path: EDGE_LAYOUT.tls.key, existed: facts.tls?.key !== undefined }, { path: EDGE_LAYOUT.tls.cert, existed: facts.tls?.cert === true }];
}

async function converge(inspection: ReadyInspection, changes: Change[], context: ExecuteContext): Promise<DeviceResult> {
  const { connector, desired, facts, plan } = inspection;
  const work = fileWork(desired, changes);
  const existed = (path: string) => facts.files[path] !== undefined && facts.files[path] !== null;
  const access = configAccess(desired, facts);
  const key = keyAccess(desired, access.group);
  const tls = planTls(desired, facts, { key, dir: access.dir });
  const tlsKept = tlsFiles(tls, facts);
  const kept = [...work.write.map((f) => f.path).filter(existed), ...work.remove, ...tlsKept.filter((f) => f.existed).map((f) => f.path)];
  const account = accountStep(desired, facts, changes);
  const service = changes.filter((c) => c.resource.type === 'service').map((c) => c.action);
  const token = inspection.issuedToken ?? (await context.tokens.read(desired.device));

  context.report(account ? `writing files (user ${account.user})` : 'writing files');
  await runStep(connector, 'preparing folders', prepareScript({ leftovers: work.leftovers, keep: kept, remove: work.remove, configDir: access.dir, ...(account ? { account } : {}) }));
  // putFile leaves root:root; a run_as edge reads its config through the group (set before any restart).
  const groups = work.write.filter((f) => f.readableBy !== undefined).map((f) => ({ path: f.path, group: access.group }));
  const restart = service.includes('restart') || service.includes('start');
  let verify: VerifyResult | undefined;
  let pin = desired.tls ? tls.devicePin : undefined;
  try {
    // From the first upload on, any failure puts the previous files back: never a mix of old and new.
    // The bundle goes first: it generates the key, and the config that names the key files comes after it.
    const put = (file: DesiredFile) => connector.putFile(file.path, file.source.kind === 'text' ? file.source.text : context.artifacts.bundle, { mode: file.mode, become: true });
    for (const file of work.write.filter((f) => f.path === EDGE_LAYOUT.bundle.path)) await put(file);
    if (tls.work === 'generate') {
      context.report('generating the TLS key on the device');
      pin = await generateTlsKey(connector, { nodePath: facts.nodePath ?? '/usr/bin/node', device: desired.device, dir: access.dir, ...(desired.runAs === 'root' ? {} : { group: access.group }) });
    }
    for (const file of work.write.filter((f) => f.path !== EDGE_LAYOUT.bundle.path)) await put(file);
    if (tls.work === 'permissions') await runStep(connector, 'TLS key permissions', tlsPermissionsScript(key, access.dir));
    context.report(restart ? 'restarting the edge' : 'updating the service');
    await runStep(connector, 'systemctl', serviceScript({ groups, reload: work.write.some((f) => f.path === EDGE_LAYOUT.unit.path), enable: service.includes('enable'), restart }));
    if (restart || inspection.issuedToken || tls.work === 'generate' || tls.work === 'pin') {
      // The planner gives every TLS edge a pin (the device's, or one generated above); never verify one in clear.
      if (desired.tls && !pin) throw new LanmcpError('E_INTERNAL', `no TLS pin for ${desired.device} at verify: refusing to send its token over plain HTTP`);
      context.report(pin ? 'verifying over HTTPS (pinned key)' : 'verifying over HTTP');
      verify = await verifyEdge({ device: desired.device, address: desired.address, port: desired.port, token: token ?? '', version: desired.version, ...(pin ? { pin } : {}) });
    }
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    context.report('rolling back');
    const restore = [...work.write.map((f) => ({ path: f.path, existed: existed(f.path) })), ...work.remove.map((path) => ({ path, existed: true })), ...tlsKept];
    return rollBack(inspection, error, rollbackScript(restore, { wasActive: facts.service.active, wasEnabled: facts.service.enabled }));
  }
  // Verified: the device now accepts only the issued token and presents this key, so keep both before anything else can fail.
  if (inspection.issuedToken) await context.tokens.write(desired.device, inspection.issuedToken);
  if (pin) await context.tokens.writePin(desired.device, pin);
  else if (!desired.tls) await context.tokens.removePin(desired.device);
  context.report('writing the receipt');
  await connector.putFile(EDGE_LAYOUT.receipt.path, `${JSON.stringify(renderReceipt(desired), null, 2)}\n`, { mode: EDGE_LAYOUT.receipt.mode, become: true });
  await runStep(connector, 'cleanup', tls.work === 'remove' ? `${cleanupScript(kept)}\n${tlsRemovalScript()}` : cleanupScript(kept));
  return { device: plan.device, status: 'changed', ok: plan.changes.length, changed: changes.length, ...(verify ? { verify } : {}) };
}

/** Puts the previous files back; a rollback that fails too is reported with the error that caused it. */
async function rollBack(inspection: ReadyInspection, cause: LanmcpError, script: string): Promise<DeviceResult> {
  const { connector, facts, plan } = inspection;
  const base = { device: plan.device, status: 'failed' as const, ok: 0, changed: 0 };
  const hint = cause.hint ? { hint: cause.hint } : {};
  try {
    await runStep(connector, 'rollback', script);
  } catch (failure) {
    const message = `${cause.message}; the rollback failed too: ${failure instanceof Error ? failure.message : String(failure)}`;
    return { ...base, rolledBack: false, error: { code: cause.code, message, ...hint } };
  }
  const previous = facts.service.active ? 'the previous version is running again' : 'the device is back to how it was';
  return { ...base, rolledBack: true, error: { code: cause.code, message: `${cause.message}; rolled back: ${previous}`, ...hint } };
}

function renderReceipt(desired: DesiredEdge): Receipt {
  return {
    lanmcp_version: desired.version,
    applied_at: new Date().toISOString(),
    files: Object.fromEntries(desired.files.map((f) => [f.path, f.sha256])),
    token_fingerprint: desired.tokenSha256 ? fingerprint(desired.tokenSha256) : '',
  };
}
