/**
 * Connecting to a device over SSH — the ONLY file importing node-ssh. One connection per device,
 * reused for all its steps: the returned Connector is the connection.
 *
 * The inventory is lanmcp's "command line": its user, port and identity file beat ~/.ssh/config, as
 * `ssh -l user -p port -i key host` beats the config in OpenSSH. The config still supplies HostName
 * (when the inventory address is an alias), extra IdentityFiles, IdentitiesOnly and ProxyJump (one
 * hop; the jump host's key is verified like any other, and its own User/Port/IdentityFile apply).
 */
import { homedir, userInfo } from 'node:os';
import { NodeSSH } from 'node-ssh';
import type { Connector } from './connector.js';
import { checkHostKey, preferredHostKeyAlgorithms, type HostKeyVerdict } from './host-key-check.js';
import { formatKnownHostsLine, type KnownHostEntry } from './known-hosts.js';
import { appendKnownHostsLine, loadKnownHosts } from './known-hosts-store.js';
import type { ResolveContext } from './ssh-config-resolve.js';
import { loadSshConfig } from './ssh-config-load.js';
import { connectFailure, hostKeyFailure } from './ssh-errors.js';
import { resolveEndpoints, type Endpoint } from './ssh-endpoints.js';
import { createSshSession, type SshClientLike } from './ssh-session.js';
import { LanmcpError } from '../shared/errors.js';

export interface SshTarget {
  name: string; // device name (for messages)
  host: string;
  port: number;
  user: string;
  identityFile?: string; // else ssh-agent (SSH_AUTH_SOCK), else ~/.ssh/id_ed25519 / id_rsa / id_ecdsa if present
  knownHostsFiles: string[]; // read in order: ~/.ssh/known_hosts, the inventory's ssh.known_hosts, .lanmcp/known_hosts
  recordHostKeysTo: string; // where an accepted new key is appended (.lanmcp/known_hosts, 0600)
  acceptNewHostKeys: boolean;
  become: 'sudo' | 'none'; // sudo → every `become: true` exec runs as `sudo -n sh -c '…'`; a password prompt fails fast
  connectTimeoutS: number;
  useSshConfig?: boolean; // honour ~/.ssh/config (default true)
  /** The ssh config to read instead of ~/.ssh/config (tests, or a project-local config). */
  sshConfigFile?: string;
  /** One jump host, `[user@]host[:port]`; beats a ProxyJump from the ssh config. */
  proxyJump?: string;
}

interface Trust {
  entries: readonly KnownHostEntry[];
  /** Malformed known_hosts lines (`file:line: why`), named in host key errors: a typo in a pin shows. */
  skipped: string[];
  accept: boolean;
  recordTo: string;
  timeoutS: number;
  comment: string;
}

/** Opens the connection (through the jump host, if any) and verifies every host key on the way. */
export async function connectSsh(target: SshTarget): Promise<Connector> {
  const ctx: ResolveContext = { home: homedir(), localUser: userInfo().username };
  const directives = target.useSshConfig === false ? [] : loadSshConfig(target.sshConfigFile);
  const { device, jump } = resolveEndpoints(target, directives, ctx, process.env.SSH_AUTH_SOCK);
  const known = loadKnownHosts(target.knownHostsFiles);
  const trust: Trust = {
    entries: known.entries,
    skipped: known.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`),
    accept: target.acceptNewHostKeys,
    recordTo: target.recordHostKeysTo,
    timeoutS: target.connectTimeoutS,
    comment: `lanmcp:${target.name}`,
  };
  const session = (connections: NodeSSH[]): Connector =>
    createSshSession(clientOf(connections[0]!), { label: device.label, user: target.user, become: target.become, end: () => endAll(connections) });
  if (jump === undefined) return session([await connectEndpoint(device, trust)]);
  const jumpSsh = await connectEndpoint(jump, { ...trust, comment: `lanmcp:jump-for-${target.name}` });
  try {
    const sock = await forwardThrough(jumpSsh, device, jump, trust.timeoutS);
    return session([await connectEndpoint({ ...device, label: `${device.label} via ${jump.user}@${jump.host}:${jump.port}` }, trust, sock), jumpSsh]);
  } catch (error) {
    await endAll([jumpSsh]);
    throw error;
  }
}

/** A TCP stream to the device opened by the jump host, within the connect timeout. */
async function forwardThrough(jumpSsh: NodeSSH, device: Endpoint, jump: Endpoint, timeoutS: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`the jump host did not reach the device within ${timeoutS} s`), { level: 'client-timeout' })), timeoutS * 1000);
  });
  try {
    return await Promise.race([jumpSsh.forwardOut('127.0.0.1', 0, device.host, device.port), timeout]);
  } catch (error) {
    throw connectFailure(error, { ...device, label: `${device.label} (through ${jump.label})`, timeoutS, identityNotes: device.identities.notes });
  } finally {
    clearTimeout(timer);
  }
}

/** One SSH connection with host key verification; records an accepted new key once the login worked. */
async function connectEndpoint(endpoint: Endpoint, trust: Trust, sock?: unknown): Promise<NodeSSH> {
  const seen: { verdict?: HostKeyVerdict; key?: Buffer } = {};
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      ...(sock === undefined ? {} : { sock }),
      readyTimeout: trust.timeoutS * 1000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(trust.entries, endpoint.host, endpoint.port) },
      hostVerifier: (key: Buffer) => {
        seen.key = key;
        seen.verdict = checkHostKey(trust.entries, endpoint.host, endpoint.port, key);
        return isTrusted(seen.verdict, trust);
      },
      authHandler: authMethods(endpoint),
    });
  } catch (error) {
    ssh.dispose();
    const refused = seen.verdict && !isTrusted(seen.verdict, trust) ? hostKeyFailure(seen.verdict, endpoint.label, trust.recordTo, trust.skipped) : undefined;
    throw refused ?? connectFailure(error, { ...endpoint, timeoutS: trust.timeoutS, identityNotes: endpoint.identities.notes });
  }
  clientOf(ssh).on('error', () => undefined); // later failures surface on the next exec (ssh-session.ts)
  // Each exec is a few small packets (channel open, exec request, EOF): with Nagle on, they wait for
  // delayed ACKs and a 10 ms command takes ~45 ms. OpenSSH sets TCP_NODELAY for the same reason.
  (ssh.connection as { setNoDelay?: (on: boolean) => void } | null)?.setNoDelay?.(true);
  if (seen.verdict?.status === 'unknown' && seen.key) {
    try {
      appendKnownHostsLine(trust.recordTo, formatKnownHostsLine(endpoint.host, endpoint.port, seen.key, trust.comment));
    } catch (error) {
      await endAll([ssh]);
      throw error;
    }
  }
  return ssh;
}

function isTrusted(verdict: HostKeyVerdict, trust: Trust): boolean {
  return verdict.status === 'known' || (verdict.status === 'unknown' && trust.accept);
}

/** ssh2 auth attempts in order: key files, then the agent. */
function authMethods(endpoint: Endpoint): object[] {
  const { files, agent } = endpoint.identities;
  const keys = files.map((f) => ({ type: 'publickey', username: endpoint.user, key: f.key }));
  return agent === undefined ? keys : [...keys, { type: 'agent', username: endpoint.user, agent }];
}

/** node-ssh's underlying ssh2 Client, once connected. */
function clientOf(ssh: NodeSSH): SshClientLike {
  const client = ssh.connection as SshClientLike | null;
  if (client === null) throw new LanmcpError('E_INTERNAL', 'node-ssh reported a connection but holds no client');
  return client;
}

/** Ends connections in order (target before its jump host), waiting up to 2 s for each to close. */
async function endAll(connections: readonly NodeSSH[]): Promise<void> {
  for (const ssh of connections) {
    const client = ssh.connection as SshClientLike | null;
    if (client === null) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      client.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ssh.dispose();
    });
  }
}
