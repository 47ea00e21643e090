import { createHash, timingSafeEqual } from 'node:crypto';
import type { EdgeConfig } from './config.js';

/**
 * The names a request may use in Host and Origin: anything else is a DNS-rebinding attempt (a web page
 * whose hostname resolves to this device) and gets 403.
 */
export function allowedHostnames(config: EdgeConfig, deviceHostname: string, addresses: readonly string[]): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', config.name, deviceHostname, ...config.allowed_hosts, ...addresses];
  if (config.listen.host !== '0.0.0.0' && config.listen.host !== '::') names.push(config.listen.host);
  return new Set(names.map((n) => n.toLowerCase()));
}

/** The hostname of a Host header (`name:port`, `[v6]:port`), lowercased; undefined when unparsable. */
export function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

/** Host must be present and allowed; Origin, when a browser sends one, must be allowed too. */
export function checkHostAndOrigin(host: string | undefined, origin: string | undefined, allowed: ReadonlySet<string>): string | undefined {
  const hostname = host === undefined ? undefined : hostnameOf(host);
  if (hostname === undefined || !allowed.has(hostname)) return `Host ${JSON.stringify(host ?? '')} is not allowed`;
  if (origin === undefined) return undefined;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    originHost = undefined;
  }
  return originHost !== undefined && allowed.has(originHost) ? undefined : `Origin ${JSON.stringify(origin)} is not allowed`;
}

/** Compares the bearer token's sha256 with the stored one in constant time. */
export function tokenMatches(authorization: string | undefined, tokenSha256: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const presented = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = Buffer.from(tokenSha256, 'hex');
  return timingSafeEqual(presented, expected) && match !== null;
}

/** Streamable HTTP: a POST must accept both JSON and SSE (the client cannot know which answer it gets). */
export function acceptsBoth(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  if (types.includes('*/*')) return true;
  return (types.includes('application/json') || types.includes('application/*')) && (types.includes('text/event-stream') || types.includes('text/*'));
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
