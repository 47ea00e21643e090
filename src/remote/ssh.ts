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
import { resolveSshHost, parseJumpSpec, type ResolveContext } from './ssh-config-resolve.js';
import { loadSshConfig } from './ssh-config-load.js';
import { connectFailure, hostKeyFailure } from './ssh-errors.js';
import { loadIdentities, type Identities } from './ssh-identities.js';
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

/** One end to connect to, fully resolved. */
interface Endpoint {
  label: string;
  host: string;
  port: number;
  user: string;
  identities: Identities;
}

interface Trust {
  entries: readonly KnownHostEntry[];
  accept: boolean;
  recordTo: string;
  timeoutS: number;
  comment: string;
}

/** Opens the connection (through the jump host, if any) and verifies every host key on the way. */
export async function connectSsh(target: SshTarget): Promise<Connector> {
  const ctx: ResolveContext = { home: homedir(), localUser: userInfo().username };
  const directives = target.useSshConfig === false ? [] : loadSshConfig(target.sshConfigFile);
  const settings = resolveSshHost(directives, target.host, { user: target.user, port: target.port }, ctx);
  const host = settings.hostname ?? target.host;
  const sources = { identitiesOnly: settings.identitiesOnly, home: ctx.home, agentSocket: process.env.SSH_AUTH_SOCK };
  const endpoint: Endpoint = {
    label: `${target.name} (${target.user}@${host}:${target.port})`,
    host,
    port: target.port,
    user: target.user,
    identities: loadIdentities({ ...sources, configured: settings.identityFiles, ...optional('explicit', target.identityFile) }),
  };
  const trust: Trust = {
    entries: loadKnownHosts(target.knownHostsFiles).entries,
    accept: target.acceptNewHostKeys,
    recordTo: target.recordHostKeysTo,
    timeoutS: target.connectTimeoutS,
    comment: `lanmcp:${target.name}`,
  };
  const jumpSpec = target.proxyJump !== undefined ? parseJumpSpec(target.proxyJump) : settings.proxyJump;
  if (jumpSpec === undefined) {
    const ssh = await connectEndpoint(endpoint, trust);
    return createSshSession(clientOf(ssh), { label: endpoint.label, user: target.user, become: target.become, end: () => endAll([ssh]) });
  }
  const jumpSettings = resolveSshHost(directives, jumpSpec.host, { ...optional('user', jumpSpec.user), ...optional('port', jumpSpec.port) }, ctx);
  if (jumpSettings.proxyJump) throw new LanmcpError('E_SSH_CONFIG', `the jump host ${jumpSpec.host} for ${endpoint.label} has a ProxyJump of its own; lanmcp follows one hop`);
  const jumpHost = jumpSettings.hostname ?? jumpSpec.host;
  const jumpUser = jumpSettings.user ?? ctx.localUser;
  const jumpPort = jumpSettings.port ?? 22;
  const jump: Endpoint = {
    label: `${jumpUser}@${jumpHost}:${jumpPort} (jump host for ${target.name})`,
    host: jumpHost,
    port: jumpPort,
    user: jumpUser,
    // The inventory's key is offered to the jump host too, after the jump host's own keys.
    identities: loadIdentities({ ...sources, identitiesOnly: jumpSettings.identitiesOnly, configured: [...jumpSettings.identityFiles, ...(target.identityFile ? [target.identityFile] : [])] }),
  };
  const jumpSsh = await connectEndpoint(jump, { ...trust, comment: `lanmcp:${target.name}-jump` });
  try {
    const sock = await jumpSsh.forwardOut('127.0.0.1', 0, host, target.port);
    const ssh = await connectEndpoint({ ...endpoint, label: `${endpoint.label} via ${jumpUser}@${jumpHost}:${jumpPort}` }, trust, sock);
    return createSshSession(clientOf(ssh), { label: endpoint.label, user: target.user, become: target.become, end: () => endAll([ssh, jumpSsh]) });
  } catch (error) {
    await endAll([jumpSsh]);
    if (error instanceof LanmcpError) throw error;
    throw connectFailure(error, { ...endpoint, label: `${endpoint.label} (through ${jump.label})`, timeoutS: trust.timeoutS, identityNotes: endpoint.identities.notes });
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
    const refused = seen.verdict && !isTrusted(seen.verdict, trust) ? hostKeyFailure(seen.verdict, endpoint.label, trust.recordTo) : undefined;
    throw refused ?? connectFailure(error, { ...endpoint, timeoutS: trust.timeoutS, identityNotes: endpoint.identities.notes });
  }
  clientOf(ssh).on('error', () => undefined); // later failures surface on the next exec (ssh-session.ts)
  if (seen.verdict?.status === 'unknown' && seen.key) {
    appendKnownHostsLine(trust.recordTo, formatKnownHostsLine(endpoint.host, endpoint.port, seen.key, trust.comment));
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

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
