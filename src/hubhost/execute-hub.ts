// The hub phase's execute stage: atomic writes, restart only on change, the /healthz check (HTTPS with
// hub.tls), rollback on failure.
import type { DeviceResult } from '../apply/execute-device.js';
import { cleanupScript, rollbackScript, runStep, serviceScript } from '../apply/remote-steps.js';
import type { Change } from '../plan/types.js';
import type { Connector } from '../remote/connector.js';
import { isLanmcpError, LanmcpError } from '../shared/errors.js';
import type { HubArtifacts } from './artifacts.js';
import type { HubInspection } from './inspect-hub.js';
import { HUB_LAYOUT } from './layout.js';
import { hubPrepareScript, hubRemovalScript } from './remote-steps.js';
import type { DesiredHub, HubFacts } from './types.js';
import { verifyHub } from './verify-hub.js';

export interface ExecuteHubOptions {
  /** hub.tls's certificate: the restarted hub must present it. */
  cert?: string;
  report?: (step: string) => void;
  /** How long the restarted hub may take to answer /healthz (default 20 s). */
  verifyTimeoutMs?: number;
  /** Devices whose edges this apply gave a new token or TLS pin: a rolled-back hub lacks them. */
  renewed?: readonly string[];
}

type Ready = HubInspection & { connector: Connector; desired: DesiredHub; facts: HubFacts };
const isChange = (c: Change) => c.action !== 'noop';

/** Executes the hub's plan over the hub host's open connection. Never throws for device problems: returns them. */
export async function executeHub(inspection: HubInspection, artifacts: HubArtifacts, options: ExecuteHubOptions = {}): Promise<DeviceResult> {
  const { plan } = inspection;
  const base = { device: plan.device, ok: 0, changed: 0 };
  if (plan.outcome === 'unreachable' || plan.outcome === 'failed' || plan.outcome === 'blocked' || !inspection.connector || !inspection.desired || !inspection.facts) {
    return { ...base, status: plan.outcome === 'unreachable' ? 'unreachable' : 'failed', ...(plan.error ? { error: plan.error } : {}) };
  }
  const changes = plan.changes.filter(isChange);
  if (changes.length === 0) return { ...base, status: 'ok', ok: plan.changes.length };
  try {
    return await converge(inspection as Ready, changes, artifacts, options);
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    return { ...base, status: 'failed', error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
  }
}

async function converge(inspection: Ready, changes: Change[], artifacts: HubArtifacts, options: ExecuteHubOptions): Promise<DeviceResult> {
  const { connector, desired, facts, plan } = inspection;
  const report = options.report ?? (() => undefined);
  // Never a silent skip of the certificate check: an HTTPS hub without the certificate to compare is a bug.
  if (desired.base.startsWith('https:') && !options.cert) throw new LanmcpError('E_INTERNAL', `the hub on ${desired.host} serves HTTPS but apply has no hub.tls certificate to check it against`);
  if (desired.files.some((f) => f.sha256 === '')) throw new LanmcpError('E_INTERNAL', `the hub's config on ${desired.host} still waits for credentials of ${desired.pendingCredentials.join(', ')}`);
  const changedPath = (path: string) => changes.some((c) => c.resource.type === 'file' && c.resource.path === path && (c.action === 'create' || c.action === 'update'));
  const write = desired.files.filter((f) => changedPath(f.path));
  const existed = (path: string) => Boolean(facts.files[path]);
  const kept = write.map((f) => f.path).filter(existed);
  const service = changes.filter((c) => c.resource.type === 'service').map((c) => c.action);
  const restart = service.includes('restart') || service.includes('start');
  const leftovers = changes.filter((c) => c.action === 'delete' && c.resource.type === 'file').map((c) => (c.resource as { path: string }).path);

  report('writing the hub files');
  await runStep(connector, 'preparing the hub folders', hubPrepareScript({ leftovers, keep: kept }));
  let verified: { version: string; latencyMs: number } | undefined;
  try {
    // From the first upload on, any failure puts the previous files back: never a mix of old and new.
    for (const file of write) {
      await connector.putFile(file.path, file.source.kind === 'text' ? file.source.text : artifacts.bundle, { mode: file.mode, become: true });
    }
    report(restart ? 'restarting the hub' : 'updating the hub service');
    await runStep(connector, 'systemctl (hub)', serviceScript({ unitName: HUB_LAYOUT.unitName, reload: write.some((f) => f.path === HUB_LAYOUT.unit.path), enable: service.includes('enable'), restart }));
    if (restart) {
      report(`verifying the hub over ${desired.base.startsWith('https:') ? 'HTTPS' : 'HTTP'}`);
      verified = await verifyHub({ host: desired.host, base: desired.base, version: desired.version, ...(options.cert ? { cert: options.cert } : {}), ...(options.verifyTimeoutMs ? { timeoutMs: options.verifyTimeoutMs } : {}) });
    }
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    report('rolling back the hub');
    return rollBack(inspection, error, options.renewed ?? [], rollbackScript(write.map((f) => ({ path: f.path, existed: existed(f.path) })), { unitName: HUB_LAYOUT.unitName, wasActive: facts.service.active, wasEnabled: facts.service.enabled }));
  }
  report('writing the hub receipt');
  const receipt = { lanmcp_version: desired.version, applied_at: new Date().toISOString(), files: Object.fromEntries(desired.files.map((f) => [f.path, f.sha256])) };
  await connector.putFile(HUB_LAYOUT.receipt.path, `${JSON.stringify(receipt, null, 2)}\n`, { mode: HUB_LAYOUT.receipt.mode, become: true });
  await runStep(connector, 'cleanup (hub)', cleanupScript(kept));
  return { device: plan.device, status: 'changed', ok: plan.changes.length, changed: changes.length, ...(verified ? { verify: { version: verified.version, tools: [], latencyMs: verified.latencyMs } } : {}) };
}

async function rollBack(inspection: Ready, cause: LanmcpError, renewed: readonly string[], script: string): Promise<DeviceResult> {
  const base = { device: inspection.plan.device, status: 'failed' as const, ok: 0, changed: 0 };
  const hint = cause.hint ? { hint: cause.hint } : {};
  try {
    await runStep(inspection.connector, 'rollback (hub)', script);
  } catch (failure) {
    return { ...base, rolledBack: false, error: { code: cause.code, message: `${cause.message}; the rollback failed too: ${failure instanceof Error ? failure.message : String(failure)}`, ...hint } };
  }
  // The previous hub's config has the edges' old credentials: it cannot reach the ones that got new ones.
  const stale = renewed.length > 0
    ? `, but with the old credentials of ${renewed.join(', ')}, whose edges now expect new ones: it cannot reach them until \`lanmcp apply\` succeeds (fix the cause, then rerun it)`
    : '';
  const previous = inspection.facts.service.active ? `the previous hub is running again${stale}` : 'the hub host is back to how it was';
  return { ...base, rolledBack: true, error: { code: cause.code, message: `${cause.message}; rolled back: ${previous}`, ...hint } };
}

/** Uninstalls a hub left on a previous hub host. */
export async function executeHubRetirement(inspection: HubInspection): Promise<DeviceResult> {
  const { plan, connector } = inspection;
  const base = { device: plan.device, ok: 0, changed: 0 };
  if (plan.outcome === 'unreachable' || plan.outcome === 'failed' || !connector) {
    return { ...base, status: plan.outcome === 'unreachable' ? 'unreachable' : 'failed', ...(plan.error ? { error: plan.error } : {}) };
  }
  if (plan.outcome === 'unchanged') return { ...base, status: 'ok' };
  try {
    await runStep(connector, 'removing the hub', hubRemovalScript());
    return { ...base, status: 'changed', ok: plan.changes.length, changed: plan.changes.length };
  } catch (error) {
    if (!isLanmcpError(error)) throw error;
    return { ...base, status: 'failed', error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
  }
}
