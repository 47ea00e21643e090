// `GET /` (the status page for browsers, the device list as JSON for machines), `POST /login` and
// `POST /logout`. I/O rim: reads upstream status and the audit log, then hands plain data to the renderers.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../secrets/client-tokens.js';
import type { ClientAuth } from '../auth.js';
import { checkHostAndOrigin } from '../http-guard.js';
import { TOKEN_NAME } from '../mcp-route.js';
import type { createRateLimiter } from '../rate-limit.js';
import type { HubRuntime } from '../runtime.js';
import { readRecentCalls } from './audit-tail.js';
import { cameOverHttps, parseCookies, prefersHtml, SESSION_COOKIE, sessionCookie } from './http-bits.js';
import { createLoginSessions, DEFAULT_LOGIN_TTL_MS, DEFAULT_MAX_LOGIN_SESSIONS, type LoginSession } from './login-sessions.js';
import { renderLoginPage, renderStatusPage } from './render.js';
import { STATUS_PAGE_CSS } from './style.js';
import { planStatusView } from './view.js';

export interface StatusPageOptions {
  /** How long a sign-in lasts (fixed, not sliding); default 12 h. */
  sessionTtlMs?: number;
  maxSessions?: number;
  /** Audit lines shown; default 20. */
  recentCalls?: number;
  /** Seconds between the page's own refreshes; default 15. */
  refreshS?: number;
  /** Clock (epoch ms), for tests of expiry and uptime. */
  now?: () => number;
}

export interface StatusPageDeps {
  runtime: HubRuntime;
  auth: ClientAuth;
  allowedHosts: readonly string[];
  limiter: ReturnType<typeof createRateLimiter>;
  /** The bearer check every protected route runs (Host/Origin, token, rate limit); it answers refusals itself. */
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The device list machines read (`lanmcp status`): network_resources' data. */
  machineStatus: () => unknown;
  auditLog?: string;
  version: string;
  options?: StatusPageOptions;
}

type Req = FastifyRequest & { [TOKEN_NAME]?: string };

const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': CSP,
  'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin',
};

function sendHtml(reply: FastifyReply, status: number, body: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers({ ...PAGE_HEADERS, ...headers }).send(body);
}

/** With a ClientTokenStore (it can list records), a session ends as soon as its token is revoked. */
function revocationCheck(auth: ClientAuth): ((session: LoginSession) => boolean) | undefined {
  const list = (auth as { list?: () => readonly { name: string; sha256: string }[] }).list;
  if (typeof list !== 'function') return undefined;
  return (session) => {
    try {
      return list.call(auth).some((r) => r.name === session.tokenName && r.sha256 === session.tokenSha256);
    } catch {
      return false; // an unreadable clients.json signs everyone out rather than keeping revoked tokens in
    }
  };
}

function loginRefusal(token: string | undefined): string {
  if (!token) return 'Enter a client token.';
  if (token.startsWith('lme_')) return 'This is an edge token; sign in with a client token (lanmcp token create NAME).';
  return 'Unknown or revoked token.';
}

/** Registers the routes on `app` (use an encapsulated scope: it adds a form parser and an HTML error handler). */
export function registerStatusPage(app: FastifyInstance, deps: StatusPageDeps): void {
  const options = deps.options ?? {};
  const now = options.now ?? Date.now;
  const startedAt = now();
  const check = revocationCheck(deps.auth);
  const sessions = createLoginSessions({
    ttlMs: options.sessionTtlMs ?? DEFAULT_LOGIN_TTL_MS, max: options.maxSessions ?? DEFAULT_MAX_LOGIN_SESSIONS, now,
    ...(check ? { stillValid: check } : {}),
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return sendHtml(reply, status, renderLoginPage({ error: error.message }));
  });

  async function statusPage(tokenName: string): Promise<string> {
    await deps.runtime.audit.flush();
    const { calls, note } = await readRecentCalls(deps.auditLog, options.recentCalls ?? 20);
    const devices = [...deps.runtime.upstreams.values()].map((u) => ({
      spec: u.spec, status: u.status(), tools: u.kind === 'edge' ? u.spec.enabledTools : u.tools().map((t) => t.name),
    }));
    return renderStatusPage(planStatusView({
      version: deps.version, startedAt, now: now(), tokenName, devices, calls, ...(note ? { callsNote: note } : {}), refreshS: options.refreshS ?? 15,
    }));
  }

  async function answer(reply: FastifyReply, tokenName: string, html: boolean) {
    if (!html) return reply.type('application/json').send(deps.machineStatus());
    return sendHtml(reply, 200, await statusPage(tokenName));
  }

  app.get('/', async (request: Req, reply) => {
    void reply.header('vary', 'Accept, Cookie');
    const html = prefersHtml(request.headers.accept);
    const hostProblem = checkHostAndOrigin(request.headers.host, request.headers.origin, deps.allowedHosts);
    const cookieId = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    const session = hostProblem ? undefined : sessions.get(cookieId);
    // A bearer header (or a refused Host/Origin, or a machine without a session) gets the hub's usual checks.
    if (request.headers.authorization !== undefined || hostProblem || (!session && !html)) {
      await deps.guard(request, reply);
      return reply.sent ? reply : answer(reply, request[TOKEN_NAME]!, html);
    }
    if (!session) {
      const expired = cookieId ? { 'set-cookie': sessionCookie('', 0, cameOverHttps(request.protocol, request.headers)) } : undefined;
      return sendHtml(reply, 200, renderLoginPage(cookieId ? { error: 'Your session has ended; sign in again.' } : {}), expired);
    }
    const budget = deps.limiter.take(session.tokenName);
    if (!budget.ok) return sendHtml(reply, 429, renderLoginPage({ error: 'Too many requests; wait a moment.' }), { 'retry-after': String(budget.retryAfterS) });
    return answer(reply, session.tokenName, html);
  });

  app.post('/login', async (request, reply) => {
    const hostProblem = checkHostAndOrigin(request.headers.host, request.headers.origin, deps.allowedHosts);
    if (hostProblem) return sendHtml(reply, 403, renderLoginPage({ error: `Forbidden: ${hostProblem}` }));
    // Every attempt counts against the address's budget, so guessing tokens is throttled like any other flood.
    const budget = deps.limiter.take(`login:${request.ip}`);
    if (!budget.ok) {
      return sendHtml(reply, 429, renderLoginPage({ error: `Too many sign-in attempts; try again in ${budget.retryAfterS} s.` }), { 'retry-after': String(budget.retryAfterS) });
    }
    const raw = (request.body as { token?: unknown } | undefined)?.token;
    const token = typeof raw === 'string' ? raw.trim() : undefined;
    const name = token && !token.startsWith('lme_') ? deps.auth.verify(token) : undefined;
    if (!token || name === undefined) {
      return sendHtml(reply, 401, renderLoginPage({ error: loginRefusal(token) }), { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const session = sessions.create(name, sha256Hex(token));
    const maxAgeS = Math.floor((session.expiresAt - now()) / 1000);
    return reply.code(303).headers({ location: '/', 'cache-control': 'no-store', 'set-cookie': sessionCookie(session.id, maxAgeS, cameOverHttps(request.protocol, request.headers)) }).send();
  });

  app.post('/logout', async (request, reply) => {
    const hostProblem = checkHostAndOrigin(request.headers.host, request.headers.origin, deps.allowedHosts);
    if (hostProblem) return sendHtml(reply, 403, renderLoginPage({ error: `Forbidden: ${hostProblem}` }));
    sessions.delete(parseCookies(request.headers.cookie)[SESSION_COOKIE]);
    return reply.code(303).headers({ location: '/', 'cache-control': 'no-store', 'set-cookie': sessionCookie('', 0, cameOverHttps(request.protocol, request.headers)) }).send();
  });
}
