import { gatherFacts } from '../facts/gather.js';
import type { EdgeDevice } from '../inventory/types.js';
import { buildDesiredEdge, type TokenState } from '../plan/desired.js';
import { planDevice } from '../plan/plan-device.js';
import type { DesiredEdge, DeviceFacts, DevicePlan } from '../plan/types.js';
import type { Connector } from '../remote/connector.js';
import { connectSsh } from '../remote/ssh.js';
import { mapWithLimit } from '../shared/concurrency.js';
import { toErrorData } from '../shared/errors.js';
import { sha256Hex } from '../shared/hash.js';
import { generateEdgeToken, type TokenStore } from '../secrets/token-store.js';
import type { Artifacts } from './artifacts.js';
import { toSshTarget, type SshPolicy } from './ssh-target.js';

export interface InspectOptions extends SshPolicy {
  artifacts: Artifacts;
  tokens: TokenStore;
  forks: number;
  /** apply issues missing tokens up front so the plan it shows carries exact hashes; diff never does. */
  issueTokens: boolean;
  /** Devices whose token is replaced by this run (`--rotate-tokens`). */
  rotate: ReadonlySet<string>;
  /** Connects a device; tests and benchmarks may pass their own. */
  connect?: (device: EdgeDevice) => Promise<Connector>;
}

/** One device after the connect → facts → plan stage; apply keeps `connector` open to execute the plan. */
export interface DeviceInspection {
  device: EdgeDevice;
  plan: DevicePlan;
  connector?: Connector;
  facts?: DeviceFacts;
  desired?: DesiredEdge;
  /** A token this run issued (new or rotated); saved to .lanmcp/ only once the device verified it. */
  issuedToken?: string;
}

/** Connects every device (at most `forks` at once), gathers its facts in one round trip and plans it. */
export function inspectDevices(devices: readonly EdgeDevice[], options: InspectOptions): Promise<DeviceInspection[]> {
  return mapWithLimit(devices, options.forks, (device) => inspectDevice(device, options));
}

async function inspectDevice(device: EdgeDevice, options: InspectOptions): Promise<DeviceInspection> {
  const { token, issuedToken } = await resolveToken(device, options);
  const pinned = await options.tokens.readPin(device.name);
  let connector: Connector | undefined;
  try {
    connector = await (options.connect ?? ((d) => connectSsh(toSshTarget(d, options))))(device);
    const facts = await gatherFacts(connector);
    const desired = buildDesiredEdge(device, options.artifacts, token, facts.nodePath, pinned);
    return { device, connector, facts, desired, plan: planDevice(desired, facts), ...(issuedToken ? { issuedToken } : {}) };
  } catch (error) {
    // Every failure, a bug included, becomes this device's row: the other devices' connections stay
    // owned by their rows and are closed by the command.
    await connector?.close();
    const data = toErrorData(error);
    const outcome = data.code === 'E_SSH_UNREACHABLE' ? 'unreachable' : 'failed';
    return { device, plan: { device: device.name, address: device.address, outcome, changes: [], error: data } };
  }
}

async function resolveToken(device: EdgeDevice, options: InspectOptions): Promise<{ token?: TokenState; issuedToken?: string }> {
  const stored = await options.tokens.read(device.name);
  const wantsNew = device.state === 'present' && (options.rotate.has(device.name) || (!stored && options.issueTokens));
  if (wantsNew) {
    const issuedToken = generateEdgeToken();
    return { token: { sha256: sha256Hex(issuedToken), status: stored ? 'rotated' : 'new' }, issuedToken };
  }
  return stored ? { token: { sha256: sha256Hex(stored), status: 'stored' } } : {};
}
