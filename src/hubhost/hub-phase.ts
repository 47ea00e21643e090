// The hub phase of `diff` and `apply` (hub.host): planned from the edge phase's inspections, since the hub's
// config carries the edges' tokens, and executed after the edges, once their new tokens are stored.
import { readFile } from 'node:fs/promises';
import type { DeviceResult } from '../apply/execute-device.js';
import type { DeviceInspection } from '../apply/inspect.js';
import type { Device, EdgeDevice, ResolvedHub } from '../inventory/types.js';
import type { HubArtifacts } from './artifacts.js';
import { executeHub } from './execute-hub.js';
import { inspectHub, type HubInspection, type HubSetting } from './inspect-hub.js';
import { hubRowName } from './plan-hub.js';

export type HubPhase =
  | { kind: 'none' }
  /** hub.host is set but `--limit` leaves it out: the hub is neither planned nor touched. */
  | { kind: 'skipped'; host: string; note: string }
  | { kind: 'planned'; setting: HubSetting; inspection: HubInspection };

export interface HubPhaseInput {
  hub: ResolvedHub;
  devices: readonly Device[];
  groups: Record<string, string[]>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

/** The hub host's edge device, when the inventory names one. */
export function hubSettingOf(input: HubPhaseInput): HubSetting | undefined {
  const name = input.hub.host;
  const hubDevice = input.devices.find((d): d is EdgeDevice => d.kind === 'edge' && d.name === name);
  return hubDevice ? { ...input, hubDevice } : undefined;
}

/**
 * Devices whose edge credentials the edge phase issues (apply) or will issue (diff): a token, or a TLS key
 * whose pin goes into .lanmcp/ (generated, renewed or re-pinned). The hub's config will carry them.
 */
export function pendingCredentialsOf(inspections: readonly DeviceInspection[]): string[] {
  const newPin = (i: DeviceInspection) => i.plan.changes.some((c) => (c.resource.type as string) === 'tls-key' && c.action !== 'noop' && c.action !== 'delete');
  return inspections
    .filter((i) => i.device.state === 'present' && (i.issuedToken !== undefined || (i.desired !== undefined && i.desired.tokenSha256 === undefined) || newPin(i)))
    .map((i) => i.device.name);
}

/** Plans the hub (reusing the hub host's connection), or says why it is skipped. */
export async function planHubPhase(input: HubPhaseInput, inspections: readonly DeviceInspection[], artifacts: () => Promise<HubArtifacts>): Promise<HubPhase> {
  const setting = hubSettingOf(input);
  if (!setting) return { kind: 'none' };
  const host = setting.hubDevice.name;
  const own = inspections.find((i) => i.device.name === host);
  if (!own) return { kind: 'skipped', host, note: `${hubRowName(host)}: not planned, --limit leaves out the hub host ${host} (include it to update the hub)` };
  const inspection = await inspectHub(setting, own.plan, own.connector, await artifacts(), pendingCredentialsOf(inspections));
  return { kind: 'planned', setting, inspection };
}

/**
 * After the edges: plans the hub again with the credentials now stored, and executes that plan. A hub
 * host whose own edge failed is not touched (its row says why).
 */
export async function runHubPhase(phase: Extract<HubPhase, { kind: 'planned' }>, inspections: readonly DeviceInspection[], results: readonly DeviceResult[], artifacts: HubArtifacts, report?: (step: string) => void): Promise<DeviceResult> {
  const host = phase.setting.hubDevice.name;
  const row = hubRowName(host);
  const edge = results.find((r) => r.device === host);
  const own = inspections.find((i) => i.device.name === host);
  if (!own || !edge || edge.status === 'failed' || edge.status === 'unreachable') {
    const reason = edge?.error ? `${edge.error.code}: ${edge.error.message}` : 'it was not inspected';
    return { device: row, status: edge?.status === 'unreachable' ? 'unreachable' : 'failed', ok: 0, changed: 0, error: { code: edge?.error?.code ?? 'E_REMOTE_COMMAND', message: `the hub was not provisioned: the edge phase failed on ${host} (${reason})` } };
  }
  const inspection = await inspectHub(phase.setting, own.plan, own.connector, artifacts, []);
  const cert = phase.setting.hub.tls ? await readCert(phase.setting.hub.tls.cert_file) : undefined;
  return executeHub(inspection, artifacts, { ...(cert ? { cert } : {}), ...(report ? { report } : {}) });
}

/** hub.tls's certificate, to check the hub presents it; unreadable → the config step already failed. */
function readCert(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
