import type { Artifacts } from './artifacts.js';
import type { DeviceInspection } from './inspect.js';
import { cleanupScript, prepareScript, removalScript, rollbackScript, runStep, serviceScript } from './remote-steps.js';
import { verifyEdge, type VerifyResult } from './verify.js';
import { EDGE_LAYOUT } from '../plan/layout.js';
import type { Change, DesiredEdge, DesiredFile, DeviceFacts, Receipt } from '../plan/types.js';
import type { Connector } from '../remote/connector.js';
import type { TokenStore } from '../secrets/token-store.js';
import { isLanmcpError } from '../shared/errors.js';
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

async function converge(inspection: ReadyInspection, changes: Change[], context: ExecuteContext): Promise<DeviceResult> {
  const { connector, desired, facts, plan } = inspection;
  const changedFiles = desired.files.filter((f) => changes.some((c) => c.resource.type === 'file' && c.resource.path === f.path));
  const existed = (f: DesiredFile) => facts.files[f.path] !== undefined && facts.files[f.path] !== null;
  const leftovers = changes.filter((c) => c.action === 'delete' && c.resource.type === 'file').map((c) => (c.resource as { path: string }).path);
  const service = changes.filter((c) => c.resource.type === 'service').map((c) => c.action);
  const token = inspection.issuedToken ?? (await context.tokens.read(desired.device));

  context.report('writing files');
  await runStep(connector, 'preparing folders', prepareScript(leftovers, changedFiles.filter(existed).map((f) => f.path)));
  for (const file of changedFiles) {
    await connector.putFile(file.path, file.source.kind === 'text' ? file.source.text : context.artifacts.bundle, { mode: file.mode, become: true });
  }
  const restart = service.includes('restart') || service.includes('start');
  let verify: VerifyResult | undefined;
  try {
    context.report(restart ? 'restarting the edge' : 'updating the service');
    await runStep(connector, 'systemctl', serviceScript({ reload: changedFiles.some((f) => f.path === EDGE_LAYOUT.unit.path), enable: service.includes('enable'), restart }));
    if (restart || inspection.issuedToken) {
      context.report('verifying over HTTP');
      verify = await verifyEdge({ device: desired.device, address: desired.address, port: desired.port, token: token ?? '', version: desired.version });
    }
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    context.report('rolling back');
    await runStep(connector, 'rollback', rollbackScript(changedFiles.map((f) => ({ path: f.path, existed: existed(f) })), { wasActive: facts.service.active, wasEnabled: facts.service.enabled }));
    const previous = facts.service.active ? 'the previous version is running again' : 'the device is back to how it was';
    return { device: plan.device, status: 'failed', ok: 0, changed: 0, rolledBack: true, error: { code: error.code, message: `${error.message}; rolled back: ${previous}`, ...(error.hint ? { hint: error.hint } : {}) } };
  }
  context.report('writing the receipt');
  await connector.putFile(EDGE_LAYOUT.receipt.path, `${JSON.stringify(renderReceipt(desired), null, 2)}\n`, { mode: EDGE_LAYOUT.receipt.mode, become: true });
  await runStep(connector, 'cleanup', cleanupScript(changedFiles.filter(existed).map((f) => f.path)));
  if (inspection.issuedToken) await context.tokens.write(desired.device, inspection.issuedToken);
  return { device: plan.device, status: 'changed', ok: plan.changes.length, changed: changes.length, ...(verify ? { verify } : {}) };
}

function renderReceipt(desired: DesiredEdge): Receipt {
  return {
    lanmcp_version: desired.version,
    applied_at: new Date().toISOString(),
    files: Object.fromEntries(desired.files.map((f) => [f.path, f.sha256])),
    token_fingerprint: desired.tokenSha256 ? fingerprint(desired.tokenSha256) : '',
  };
}
