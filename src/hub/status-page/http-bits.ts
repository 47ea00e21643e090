// Small pure pieces of HTTP the status page needs: cookies, content negotiation, HTTPS detection.

export const SESSION_COOKIE = 'lanmcp_session';

/** `a=1; b=2` → { a: '1', b: '2' } (the first occurrence of a name wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  // No prototype: a cookie named __proto__ or toString is just a name.
  const out = Object.create(null) as Record<string, string>;
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    if (name !== '' && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (never sent on a cross-site request),
 * Secure when the page was reached over HTTPS. `maxAgeS` 0 clears it.
 */
export function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  const expires = maxAgeS > 0 ? '' : '; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}${expires}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function qualities(accept: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (!type) continue;
    const q = params.map((p) => /^q=([0-9.]+)$/.exec(p)?.[1]).find((v) => v !== undefined);
    map.set(type, q === undefined ? 1 : Number(q) || 0);
  }
  return map;
}

/**
 * True when the client asks for HTML by name at least as much as for JSON: browsers do, while `*\/*`
 * (curl, fetch) or `application/json` keep getting the JSON that `lanmcp status` reads.
 */
export function prefersHtml(accept: string | undefined): boolean {
  const q = qualities(accept ?? '');
  const htmlQ = q.get('text/html') ?? 0;
  return htmlQ > 0 && htmlQ >= (q.get('application/json') ?? 0);
}

/**
 * Whether the browser reached the hub over HTTPS: a TLS listener, or a TLS-terminating proxy in front
 * (`tailscale serve`, a reverse proxy) that says so. Trusting the header is safe here: it can only add
 * `Secure`, which makes the cookie stricter, never looser.
 */
export function cameOverHttps(protocol: string, headers: Record<string, string | string[] | undefined>): boolean {
  if (protocol === 'https') return true;
  const forwarded = headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  if (first === 'https') return true;
  const standard = headers.forwarded;
  return /(?:^|[;,\s])proto="?https"?/i.test(Array.isArray(standard) ? standard.join(',') : (standard ?? ''));
}
