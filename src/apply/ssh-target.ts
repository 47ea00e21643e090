import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EdgeDevice } from '../inventory/types.js';
import type { SshTarget } from '../remote/ssh.js';

export interface SshPolicy {
  /** `.lanmcp/` next to the inventory: accepted host keys are recorded in its known_hosts. */
  stateDir: string;
  acceptNewHostKeys: boolean;
}

/** The inventory's SSH settings for a device → what the SSH layer needs (the inventory wins over ~/.ssh/config). */
export function toSshTarget(device: EdgeDevice, policy: SshPolicy): SshTarget {
  const recorded = join(policy.stateDir, 'known_hosts');
  const knownHostsFiles = [join(homedir(), '.ssh', 'known_hosts'), ...(device.ssh.known_hosts ? [device.ssh.known_hosts] : []), recorded];
  return {
    name: device.name,
    host: device.address,
    port: device.ssh.port,
    user: device.ssh.user,
    ...(device.ssh.identity_file ? { identityFile: device.ssh.identity_file } : {}),
    knownHostsFiles,
    recordHostKeysTo: recorded,
    acceptNewHostKeys: policy.acceptNewHostKeys,
    become: device.ssh.become,
    connectTimeoutS: device.ssh.connect_timeout_s,
  };
}
