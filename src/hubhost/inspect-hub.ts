// The hub phase's connect → facts → plan stage. It reuses the SSH connection the edge phase opened to the
// hub host (one connection per device serves all its steps).
import type { Device, EdgeDevice, ResolvedHub } from '../inventory/types.js';
import type { DevicePlan } from '../plan/types.js';
import type { Connector } from '../remote/connector.js';
import { createClientTokenStore } from '../secrets/client-tokens.js';
import { readEdgeCredentials } from '../secrets/edge-credentials.js';
import { loadHubTls } from '../hub/listener-tls.js';
import { LanmcpError, toErrorData } from '../shared/errors.js';
import type { HubArtifacts } from './artifacts.js';
import { buildDesiredHub } from './desired.js';
import { renderHubFactsScript } from './facts-script.js';
import { parseHubFacts } from './parse-facts.js';
import { hubRowName, planHub } from './plan-hub.js';
import { planHubRetirement } from './plan-retire.js';
import { planServiceListen, renderServiceConfig, renderServiceConfigText } from './render-config.js';
import type { DesiredHub, HubFacts } from './types.js';

/** The inventory facts the hub's config is made of. */
export interface HubSetting {
  hub: ResolvedHub;
  hubDevice: EdgeDevice;
  devices: readonly Device[];
  groups: Record<string, string[]>;
  /** `.lanmcp/`: edge tokens and client-token hashes. */
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

export interface HubInspection {
  plan: DevicePlan;
  connector?: Connector;
  desired?: DesiredHub;
  facts?: HubFacts;
  /** hub.tls's certificate (PEM) as the config carries it: the restarted hub must present exactly this one. */
  tlsCert?: string;
}

/**
 * Plans the hub on its host. `connector` is the edge phase's open connection (undefined when the host
 * could not be reached: the row then repeats the edge's reason). Never throws for device problems.
 */
export async function inspectHub(setting: HubSetting, edgePlan: DevicePlan, connector: Connector | undefined, artifacts: HubArtifacts, pendingCredentials: readonly string[]): Promise<HubInspection> {
  const row = { device: hubRowName(setting.hubDevice.name), address: setting.hubDevice.address, changes: [] };
  if (!connector) {
    const outcome = edgePlan.outcome === 'unreachable' ? 'unreachable' : 'failed';
    return { plan: { ...row, outcome, error: edgePlan.error ?? { code: 'E_SSH_UNREACHABLE', message: `${setting.hubDevice.name} could not be inspected` } } };
  }
  try {
    const facts = await gatherHubFacts(connector);
    // Read and checked here (PEM, key of the certificate), so a missing or wrong file fails the row naming it.
    const tls = setting.hub.tls ? await loadHubTls(setting.hub.tls) : undefined;
    const configText = renderServiceConfigText(renderServiceConfig({
      ...setting,
      credentials: await readEdgeCredentials(setting.stateDir, setting.devices),
      clientTokens: createClientTokenStore(setting.stateDir).list(),
      ...(tls ? { tls } : {}),
    }));
    const desired = buildDesiredHub({
      host: setting.hubDevice.name, address: setting.hubDevice.address, port: planServiceListen(setting.hub).port, tls: Boolean(setting.hub.tls),
      artifacts, configText, pendingCredentials, nodePath: facts.nodePath,
    });
    return { plan: planHub(desired, facts), connector, desired, facts, ...(tls ? { tlsCert: tls.cert } : {}) };
  } catch (error) {
    return { plan: { ...row, outcome: 'failed', error: toErrorData(error) } };
  }
}

/** Plans the removal of a hub left on `device` (the previous hub host) over its open connection. */
export async function inspectHubRetirement(device: { name: string; address: string }, edgePlan: DevicePlan, connector: Connector | undefined, why: string): Promise<HubInspection> {
  const row = { device: hubRowName(device.name), address: device.address, changes: [] };
  if (!connector) return { plan: { ...row, outcome: edgePlan.outcome === 'unreachable' ? 'unreachable' : 'failed', error: edgePlan.error ?? { code: 'E_SSH_UNREACHABLE', message: `${device.name} could not be inspected` } } };
  try {
    const facts = await gatherHubFacts(connector);
    return { plan: planHubRetirement(device.name, device.address, facts, why), connector, facts };
  } catch (error) {
    return { plan: { ...row, outcome: 'failed', error: toErrorData(error) } };
  }
}

async function gatherHubFacts(connector: Connector): Promise<HubFacts> {
  const result = await connector.exec(renderHubFactsScript(), { become: true, timeoutMs: 30_000 });
  try {
    return parseHubFacts(result.stdout);
  } catch (cause) {
    throw new LanmcpError('E_REMOTE_COMMAND', `gathering the hub's facts on ${connector.label} failed (exit ${result.code}): ${result.stderr.trim() || 'no output'}`, { cause });
  }
}
