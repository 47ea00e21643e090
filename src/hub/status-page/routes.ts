// `GET /`: the status page for browsers, the device list as JSON for machines; and the sign-in routes.
// I/O rim: reads upstream status and the audit log, then hands plain data to the renderers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientAuth } from '../auth.js';
import { checkHostAndOrigin } from '../http-guard.js';
import { TOKEN_NAME } from '../mcp-route.js';
import type { createRateLimiter } from '../rate-limit.js';
import type { HubRuntime } from '../runtime.js';
import { readRecentCalls } from './audit-tail.js';
import { clearCookieHeader, sendHtml } from './html-reply.js';
import { parseCookies, prefersHtml, SESSION_COOKIE } from './http-bits.js';
import { createLoginSessions, DEFAULT_LOGIN_TTL_MS, DEFAULT_MAX_LOGIN_SESSIONS, type LoginSession } from './login-sessions.js';
import { renderLoginPage, renderStatusPage } from './render.js';
import { registerSignInRoutes } from './sign-in-routes.js';
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
      if (!cookieId) return sendHtml(reply, 200, renderLoginPage());
      return sendHtml(reply, 200, renderLoginPage({ error: 'Your session has ended; sign in again.' }), clearCookieHeader(request));
    }
    const budget = deps.limiter.take(session.tokenName);
    if (!budget.ok) return sendHtml(reply, 429, renderLoginPage({ error: 'Too many requests; wait a moment.' }), { 'retry-after': String(budget.retryAfterS) });
    return answer(reply, session.tokenName, html);
  });

  registerSignInRoutes(app, { auth: deps.auth, allowedHosts: deps.allowedHosts, limiter: deps.limiter, sessions, now });
}
