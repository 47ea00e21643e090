// The hub phase of `diff` and `apply` (hub.host): planned from the edge phase's inspections, since the hub's
// config carries the edges' credentials, and executed after the edges, once their new ones are stored.
// It also uninstalls a hub left on the previous hub host when hub.host moved or was removed.
import type { DeviceResult } from '../apply/execute-device.js';
import type { DeviceInspection } from '../apply/inspect.js';
import type { Device, EdgeDevice, ResolvedHub } from '../inventory/types.js';
import type { DevicePlan } from '../plan/types.js';
import { formatPin } from '../shared/tls-pin.js';
import type { HubArtifacts } from './artifacts.js';
import { executeHub, executeHubRetirement } from './execute-hub.js';
import { readHubRecord, removeHubRecord, writeHubRecord } from './hub-record.js';
import { inspectHub, inspectHubRetirement, type HubInspection, type HubSetting } from './inspect-hub.js';
import { hubRowName } from './plan-hub.js';

export interface HubPhase {
  /** The hub on hub.host; absent without hub.host, or when `--limit` leaves the hub host out. */
  serve?: { setting: HubSetting; inspection: HubInspection };
  /** The hub still installed on the previous hub host. */
  retire?: HubInspection;
  /**
   * A hub on a previous host still waits for removal (hub.host moved or went). `.lanmcp/hub-host.json` keeps
   * naming that host until its removal succeeded, so a --limit that leaves it out, or a failed removal, is
   * not forgotten. False when that host left the inventory: apply forgets it (the notes say what to do by hand).
   */
  retirePending: boolean;
  /** Why part of the hub phase is left out, for stderr. */
  notes: string[];
  /** `.lanmcp/`, where the record of the hub host lives. */
  stateDir: string;
  /** hub.host as the inventory has it now. */
  host?: string;
}

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

/** The plan rows of the hub phase, after the devices', in the order apply runs them: the new hub, then the old one's removal. */
export function hubPlans(phase: HubPhase): DevicePlan[] {
  return [...(phase.serve ? [phase.serve.inspection.plan] : []), ...(phase.retire ? [phase.retire.plan] : [])];
}

/**
 * Devices whose edge credentials the edge phase issues (apply) or will issue (diff): a token, or a TLS key
 * whose pin goes into .lanmcp/ (generated, renewed or re-pinned). The hub's config will carry them.
 */
export function pendingCredentialsOf(inspections: readonly DeviceInspection[]): string[] {
  return inspections
    .filter((i) => i.device.state === 'present' && (i.issuedToken !== undefined || (i.desired !== undefined && i.desired.tokenSha256 === undefined) || newPin(i)))
    .map((i) => i.device.name);
}

/**
 * Whether the edge phase stores a different TLS pin for this device (src/plan/plan-tls.ts's tls-key change):
 * a key generated on the device (its pin is known only afterwards: no `after.fingerprint`), or a pin that
 * differs from the one .lanmcp/ holds (a re-pin, or a first pin of a key already there). A repair of the
 * key's mode or owner keeps the pin, so the hub's config stays as it is.
 */
function newPin(i: DeviceInspection): boolean {
  const stored = i.desired?.tls?.pinned;
  return i.plan.changes.some((c) => {
    if ((c.resource.type as string) !== 'tls-key' || c.action === 'noop' || c.action === 'delete') return false;
    const after = c.after?.fingerprint;
    return after === undefined || after !== (stored === undefined ? undefined : formatPin(stored));
  });
}

/** Plans the hub (reusing the hub host's connection) and the removal of a hub left elsewhere. */
export async function planHubPhase(input: HubPhaseInput, inspections: readonly DeviceInspection[], artifacts: () => Promise<HubArtifacts>): Promise<HubPhase> {
  const phase: HubPhase = { notes: [], stateDir: input.stateDir, retirePending: false, ...(input.hub.host ? { host: input.hub.host } : {}) };
  const setting = hubSettingOf(input);
  if (setting) {
    const host = setting.hubDevice.name;
    const own = inspections.find((i) => i.device.name === host);
    if (!own) phase.notes.push(`${hubRowName(host)}: not planned, --limit leaves out the hub host ${host} (include it to update the hub)`);
    else phase.serve = { setting, inspection: await inspectHub(setting, own.plan, own.connector, await artifacts(), pendingCredentialsOf(inspections)) };
  }
  const previous = (await readHubRecord(input.stateDir))?.host;
  if (previous === undefined || previous === input.hub.host) return phase;
  const why = input.hub.host ? `hub.host moved to ${input.hub.host}` : 'hub.host was removed from the inventory';
  const device = input.devices.find((d): d is EdgeDevice => d.kind === 'edge' && d.name === previous);
  const old = inspections.find((i) => i.device.name === previous);
  phase.retirePending = device !== undefined;
  const replacement = replacementProblem(phase);
  if (!device) {
    phase.notes.push(`${hubRowName(previous)}: ${why}, but ${previous} is no longer in the inventory: remove the hub there by hand (systemctl disable --now lanmcp-hub; rm -rf /opt/lanmcp-hub /etc/lanmcp-hub /var/lib/lanmcp-hub /etc/systemd/system/lanmcp-hub.service)`);
  } else if (!old) {
    phase.notes.push(`${hubRowName(previous)}: not removed, --limit leaves out ${previous} (${why})`);
  } else if (replacement) {
    // The old hub goes only once the new one is proven: until then it is the only hub clients can reach.
    phase.notes.push(`${hubRowName(previous)}: not removed yet (${why}): ${replacement}; it keeps serving until the hub on ${input.hub.host} is in place`);
  } else {
    phase.retire = await inspectHubRetirement(device, old.plan, old.connector, why);
  }
  return phase;
}

/** Why the hub on the new hub.host cannot replace the old one in this run; undefined when it can (or hub.host went). */
function replacementProblem(phase: HubPhase): string | undefined {
  if (phase.host === undefined) return undefined;
  if (!phase.serve) return `--limit leaves out the new hub host ${phase.host}`;
  const outcome = phase.serve.inspection.plan.outcome;
  return outcome === 'blocked' || outcome === 'failed' || outcome === 'unreachable' ? `the hub on ${phase.host} cannot be provisioned (see its row)` : undefined;
}

/**
 * After the edges: plans the hub again with the credentials now stored and executes that plan, then, once
 * that hub is proven (it answered /healthz), removes a hub left on the previous host: a failed new hub never
 * leaves the LAN without one. A hub host whose own edge failed is not touched (its row says why).
 * `.lanmcp/hub-host.json` follows what succeeded: it names the previous host until its hub was removed.
 */
export async function runHubPhase(phase: HubPhase, inspections: readonly DeviceInspection[], results: readonly DeviceResult[], artifacts: () => Promise<HubArtifacts>, report: (row: string, step: string) => void): Promise<DeviceResult[]> {
  const done: DeviceResult[] = [];
  const converged = (r: DeviceResult) => r.status === 'ok' || r.status === 'changed';
  const served = phase.serve ? await serveHub(phase.serve, inspections, results, await artifacts(), (step) => report(phase.serve!.inspection.plan.device, step)) : undefined;
  if (served) done.push(served);
  let retired = !phase.retirePending;
  if (phase.retire) {
    const result = served && !converged(served) ? keptOldHub(phase.retire, served) : await executeHubRetirement(phase.retire);
    done.push(result);
    retired = converged(result);
  }
  if (phase.serve) {
    if (served && converged(served) && retired) await writeHubRecord(phase.stateDir, phase.serve.setting.hubDevice.name);
  } else if (retired && phase.host === undefined) {
    // hub.host is gone and so is every hub lanmcp put anywhere.
    await removeHubRecord(phase.stateDir);
  }
  return done;
}

/** The old hub's row when the new one failed: not removed, since it is the hub clients still have. */
function keptOldHub(retire: HubInspection, served: DeviceResult): DeviceResult {
  return {
    device: retire.plan.device, status: 'failed', ok: 0, changed: 0,
    error: { code: served.error?.code ?? 'E_REMOTE_COMMAND', message: `not removed: the new ${served.device} did not come up (see its row), so this hub keeps serving`, hint: 'fix the new hub host\'s problem and rerun `lanmcp apply`: this hub is removed once the new one answers' },
  };
}

async function serveHub(serve: NonNullable<HubPhase['serve']>, inspections: readonly DeviceInspection[], results: readonly DeviceResult[], artifacts: HubArtifacts, report: (step: string) => void): Promise<DeviceResult> {
  const host = serve.setting.hubDevice.name;
  const edge = results.find((r) => r.device === host);
  const own = inspections.find((i) => i.device.name === host);
  if (!own || !edge || edge.status === 'failed' || edge.status === 'unreachable') {
    const reason = edge?.error ? `${edge.error.code}: ${edge.error.message}` : 'it was not inspected';
    return { device: hubRowName(host), status: edge?.status === 'unreachable' ? 'unreachable' : 'failed', ok: 0, changed: 0, error: { code: edge?.error?.code ?? 'E_REMOTE_COMMAND', message: `the hub was not provisioned: the edge phase failed on ${host} (${reason})` } };
  }
  // hub.tls is read and checked here (a file that went missing since the plan fails this row naming it); the
  // restarted hub must then present the very certificate its config carries.
  const inspection = await inspectHub(serve.setting, own.plan, own.connector, artifacts, []);
  // Edges that now hold credentials the running hub's config does not: a rollback would leave it without them.
  const renewed = (serve.inspection.desired?.pendingCredentials ?? []).filter((name) => results.find((r) => r.device === name)?.status === 'changed');
  return executeHub(inspection, artifacts, { report, renewed, ...(inspection.tlsCert ? { cert: inspection.tlsCert } : {}) });
}
