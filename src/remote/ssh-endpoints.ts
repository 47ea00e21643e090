/**
 * From an SshTarget (the inventory) and ssh_config to the one or two endpoints to connect to: the
 * device, and its jump host when there is one. Reads key files (I/O) but opens no connection.
 */
import type { SshTarget } from './ssh.js';
import { parseJumpSpec, resolveSshHost, type ResolveContext } from './ssh-config-resolve.js';
import type { SshConfigDirective } from './ssh-config.js';
import { loadIdentities, type Identities } from './ssh-identities.js';
import { LanmcpError } from '../shared/errors.js';

/** One end to connect to, fully resolved. */
export interface Endpoint {
  /** For messages: `device (user@host:port)`, or `user@host:port (jump host for device)`. */
  label: string;
  host: string;
  port: number;
  user: string;
  identities: Identities;
}

export interface Endpoints {
  device: Endpoint;
  jump?: Endpoint;
}

/** The device's endpoint (inventory values win over the config) and its ProxyJump hop, if any. */
export function resolveEndpoints(target: SshTarget, directives: readonly SshConfigDirective[], ctx: ResolveContext, agentSocket: string | undefined): Endpoints {
  const settings = resolveSshHost(directives, target.host, { user: target.user, port: target.port }, ctx);
  const host = settings.hostname ?? target.host;
  const device: Endpoint = {
    label: `${target.name} (${target.user}@${host}:${target.port})`,
    host,
    port: target.port,
    user: target.user,
    identities: loadIdentities({
      configured: settings.identityFiles,
      identitiesOnly: settings.identitiesOnly,
      home: ctx.home,
      ...(agentSocket === undefined ? {} : { agentSocket }),
      ...(target.identityFile === undefined ? {} : { explicit: target.identityFile }),
    }),
  };
  const spec = target.proxyJump !== undefined ? parseJumpSpec(target.proxyJump) : settings.proxyJump;
  if (spec === undefined) return { device };
  const jumpSettings = resolveSshHost(directives, spec.host, { ...(spec.user ? { user: spec.user } : {}), ...(spec.port ? { port: spec.port } : {}) }, ctx);
  if (jumpSettings.proxyJump) throw new LanmcpError('E_SSH_CONFIG', `the jump host ${spec.host} for ${device.label} has a ProxyJump of its own; lanmcp follows one hop`);
  const jump = {
    host: jumpSettings.hostname ?? spec.host,
    port: jumpSettings.port ?? 22,
    // As in OpenSSH, a jump host without a user anywhere is logged into as the local user.
    user: jumpSettings.user ?? ctx.localUser,
  };
  const identities = loadIdentities({
    // The inventory's key is offered to the jump host too, after the jump host's own keys.
    configured: [...jumpSettings.identityFiles, ...(target.identityFile === undefined ? [] : [target.identityFile])],
    identitiesOnly: jumpSettings.identitiesOnly,
    home: ctx.home,
    ...(agentSocket === undefined ? {} : { agentSocket }),
  });
  return { device, jump: { ...jump, label: `${jump.user}@${jump.host}:${jump.port} (jump host for ${target.name})`, identities } };
}
