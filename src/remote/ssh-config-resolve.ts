/**
 * Evaluating parsed ssh_config for one host, pure, as OpenSSH does: directives are read in order and
 * the first value obtained for an option wins (IdentityFile accumulates). Values given by the caller
 * (the inventory: lanmcp's "command line") beat the config, as `ssh -l user -p port` does.
 * Supported: HostName, User, Port, IdentityFile, IdentitiesOnly, ProxyJump (one hop). `Match` knows
 * all/canonical/final/host/originalhost/user/localuser; a block using another criterion (exec, …) is
 * skipped. ProxyCommand cannot be followed and is refused with E_SSH_CONFIG.
 */
import { globMatches } from './host-key-check.js';
import { configError, type SshConfigCondition, type SshConfigDirective } from './ssh-config.js';
import { LanmcpError } from '../shared/errors.js';

export interface ResolveContext {
  home: string;
  localUser: string;
}

/** A `ProxyJump` hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** What the config says about one host, tokens expanded. Unset means the config is silent. */
export interface SshHostSettings {
  hostname?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly: boolean;
  proxyJump?: JumpSpec;
}

type Found = { args: string[]; file: string; line: number };

/** The settings for `host`. `given` are the caller's values, used (and winning) where set. */
export function resolveSshHost(directives: readonly SshConfigDirective[], host: string, given: { user?: string; port?: number }, ctx: ResolveContext): SshHostSettings {
  const found = new Map<string, Found>();
  const identityFiles: Found[] = [];
  for (const d of directives) {
    const hostname = found.get('hostname')?.args[0]?.replaceAll('%h', host) ?? host;
    const user = given.user ?? found.get('user')?.args[0] ?? ctx.localUser;
    if (!d.conditions.every((c) => conditionHolds(c, { host, hostname, user, localUser: ctx.localUser }))) continue;
    if (d.keyword === 'identityfile') identityFiles.push(d);
    else if (!found.has(d.keyword)) found.set(d.keyword, d);
  }
  const hostname = expandTokens(found.get('hostname'), { h: host, '%': '%' });
  const user = given.user ?? found.get('user')?.args[0];
  const port = given.port ?? parsePort(found.get('port'));
  const tokens = { '%': '%', d: ctx.home, u: ctx.localUser, n: host, h: hostname ?? host, r: user ?? ctx.localUser, p: String(port ?? 22) };
  const proxyJump = parseProxyJumpOption(found.get('proxyjump'));
  const proxyCommand = found.get('proxycommand');
  if (!found.has('proxyjump') && proxyCommand && proxyCommand.args[0]?.toLowerCase() !== 'none') {
    throw configError(proxyCommand.file, proxyCommand.line, `ProxyCommand (for ${host}) is not supported by lanmcp`);
  }
  return {
    ...(hostname === undefined ? {} : { hostname }),
    ...(user === undefined ? {} : { user }),
    ...(port === undefined ? {} : { port }),
    identityFiles: identityFiles.map((f) => expandPath(expandTokens(f, tokens) ?? '', ctx.home)),
    identitiesOnly: found.get('identitiesonly')?.args[0]?.toLowerCase() === 'yes',
    ...(proxyJump === undefined ? {} : { proxyJump }),
  };
}

interface MatchState {
  host: string;
  hostname: string;
  user: string;
  localUser: string;
}

function conditionHolds(c: SshConfigCondition, s: MatchState): boolean {
  if (c.kind === 'host') return patternListMatches(c.patterns, s.host);
  return c.criteria.every((criterion) => {
    const subject: Record<string, string | boolean> = { all: true, final: true, canonical: false, host: s.hostname, originalhost: s.host, user: s.user, localuser: s.localUser };
    const value = subject[criterion.name];
    const holds = value === undefined ? false : typeof value === 'boolean' ? value : patternListMatches(criterion.patterns, value);
    // An unsupported criterion never holds, negated or not: its block is skipped rather than guessed.
    return value === undefined ? false : criterion.negated ? !holds : holds;
  });
}

/** Matches when some positive pattern matches and no `!pattern` does. */
function patternListMatches(patterns: readonly string[], text: string): boolean {
  let matched = false;
  for (const pattern of patterns.flatMap((p) => p.split(','))) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, text)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function expandTokens(found: Found | undefined, tokens: Record<string, string>): string | undefined {
  const value = found?.args[0];
  if (found === undefined || value === undefined) return undefined;
  return value.replace(/%(.)/g, (whole, letter: string) => {
    const replacement = tokens[letter];
    if (replacement === undefined) throw configError(found.file, found.line, `token ${whole} is not supported here`);
    return replacement;
  });
}

function expandPath(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}${path.slice(1)}` : path;
}

function parsePort(found: Found | undefined): number | undefined {
  if (found === undefined) return undefined;
  const port = Number(found.args[0]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw configError(found.file, found.line, `Port ${found.args[0]} is not a port number`);
  return port;
}

function parseProxyJumpOption(found: Found | undefined): JumpSpec | undefined {
  const value = found?.args[0];
  if (found === undefined || value === undefined || value.toLowerCase() === 'none') return undefined;
  try {
    return parseJumpSpec(value);
  } catch (error) {
    throw configError(found.file, found.line, (error as Error).message);
  }
}

/** Parses one ProxyJump hop. Throws E_SSH_CONFIG for a chain (`a,b`) or a malformed hop. */
export function parseJumpSpec(spec: string): JumpSpec {
  if (spec.includes(',')) throw new LanmcpError('E_SSH_CONFIG', `ProxyJump ${spec} has more than one hop; lanmcp follows one`);
  const match = /^(?:ssh:\/\/)?(?:([^@/\s]+)@)?(\[[^\]]+\]|[^:@/\s]+)(?::(\d+))?\/?$/.exec(spec);
  if (!match) throw new LanmcpError('E_SSH_CONFIG', `ProxyJump ${spec} is not [user@]host[:port]`);
  const [, user, rawHost = '', rawPort] = match;
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65535)) throw new LanmcpError('E_SSH_CONFIG', `ProxyJump ${spec} has a bad port`);
  const host = rawHost.replace(/^\[(.*)\]$/, '$1');
  return { host, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port }) };
}
