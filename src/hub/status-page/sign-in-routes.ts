// `POST /login`, `GET /login` and `POST /logout`: a client token in, a session cookie out.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../shared/hash.js';
import type { ClientAuth } from '../auth.js';
import { checkHostAndOrigin } from '../http-guard.js';
import type { createRateLimiter } from '../rate-limit.js';
import { redirectHome, sendHtml } from './html-reply.js';
import { parseCookies, SESSION_COOKIE } from './http-bits.js';
import type { LoginSessions } from './login-sessions.js';
import { renderLoginPage } from './render.js';

export interface SignInContext {
  auth: ClientAuth;
  allowedHosts: readonly string[];
  limiter: ReturnType<typeof createRateLimiter>;
  sessions: LoginSessions;
  now: () => number;
}

function loginRefusal(token: string | undefined): string {
  if (!token) return 'Enter a client token.';
  if (token.startsWith('lme_')) return 'This is an edge token; sign in with a client token (lanmcp token create NAME).';
  return 'Unknown or revoked token.';
}

const hostProblemOf = (request: FastifyRequest, ctx: SignInContext) => checkHostAndOrigin(request.headers.host, request.headers.origin, ctx.allowedHosts);

export function registerSignInRoutes(app: FastifyInstance, ctx: SignInContext): void {
  app.post('/login', async (request, reply) => {
    const hostProblem = hostProblemOf(request, ctx);
    if (hostProblem) return sendHtml(reply, 403, renderLoginPage({ error: `Forbidden: ${hostProblem}` }));
    // Every attempt counts against the address's budget, so guessing tokens is throttled like any other flood.
    const budget = ctx.limiter.take(`login:${request.ip}`);
    if (!budget.ok) {
      return sendHtml(reply, 429, renderLoginPage({ error: `Too many sign-in attempts; try again in ${budget.retryAfterS} s.` }), { 'retry-after': String(budget.retryAfterS) });
    }
    const raw = (request.body as { token?: unknown } | undefined)?.token;
    const token = typeof raw === 'string' ? raw.trim() : undefined;
    const name = token && !token.startsWith('lme_') ? ctx.auth.verify(token) : undefined;
    if (!token || name === undefined) {
      return sendHtml(reply, 401, renderLoginPage({ error: loginRefusal(token) }), { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const session = ctx.sessions.create(name, sha256Hex(token));
    return redirectHome(request, reply, session.id, Math.floor((session.expiresAt - ctx.now()) / 1000));
  });

  // The address bar shows /login after a refused sign-in; reloading or bookmarking it lands on the page.
  app.get('/login', async (_request, reply) => reply.code(303).header('location', '/').send());

  app.post('/logout', async (request, reply) => {
    const hostProblem = hostProblemOf(request, ctx);
    if (hostProblem) return sendHtml(reply, 403, renderLoginPage({ error: `Forbidden: ${hostProblem}` }));
    ctx.sessions.delete(parseCookies(request.headers.cookie)[SESSION_COOKIE]);
    return redirectHome(request, reply, '', 0);
  });
}
