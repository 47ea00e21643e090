// Host and Origin checks against DNS rebinding (CVE-2025-49596): a web page may make a browser talk to the
// hub, but then its Host or Origin names the page's site, which is not on this list.

/** The host names a request may use: the listen host, loopback names and the public URL's host. */
export function planAllowedHosts(listenHost: string, publicUrl: string | undefined, extra: readonly string[] = []): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '::1', listenHost.toLowerCase(), ...extra.map((h) => h.toLowerCase())]);
  if (publicUrl) hosts.add(new URL(publicUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  hosts.delete('0.0.0.0');
  hosts.delete('::');
  return [...hosts];
}

/** `example.com:8765` → `example.com`; `[::1]:8765` → `::1`. */
export function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

/** Undefined when the request may proceed; otherwise why it is refused (the 403 body says it). */
export function checkHostAndOrigin(host: string | undefined, origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (host === undefined || host === '') return 'missing Host header';
  if (!allowed.includes(hostnameOf(host))) return `Host "${host}" is not allowed`;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return `Origin "${origin}" is not a URL`;
  }
  return allowed.includes(originHost) ? undefined : `Origin "${origin}" is not allowed`;
}
