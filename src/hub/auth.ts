import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkHostAndOrigin } from './http-guard.js';
import { jsonRpcError, TOKEN_NAME } from './mcp-route.js';
import type { createRateLimiter } from './rate-limit.js';

/** Anything that turns a presented bearer token into the name of a client token (or undefined). */
export interface ClientAuth {
  verify(token: string): string | undefined;
}

const CHALLENGE = (description: string) => `Bearer error="invalid_token", error_description="${description}"`;

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function refusal(token: string | undefined): string {
  if (token === undefined) return 'missing bearer token';
  if (token.startsWith('lme_')) return 'this is an edge token; the hub takes a client token (lanmcp token create NAME)';
  return 'unknown or revoked token';
}

/** Why a request is refused: the HTTP status, the JSON-RPC message and any header the answer needs. */
export interface ClientRefusal { status: 401 | 403 | 429; message: string; headers: Record<string, string> }

/**
 * The checks every protected request passes, in order: Host/Origin (403), bearer token (401, with a
 * WWW-Authenticate challenge and no OAuth discovery), per-token rate limit (429 + Retry-After). Gives the
 * client token's name, or the refusal. Takes one request from the token's budget when it passes (and the
 token store may note when the token was last used).
 */
export function createClientCheck(allowedHosts: readonly string[], auth: ClientAuth, limiter: ReturnType<typeof createRateLimiter>) {
  return function checkClient(headers: IncomingHttpHeaders): { name: string } | ClientRefusal {
    const hostProblem = checkHostAndOrigin(headers.host, headers.origin, allowedHosts);
    if (hostProblem) return { status: 403, message: `Forbidden: ${hostProblem}`, headers: {} };
    const token = bearerOf(headers.authorization);
    const name = token !== undefined && !token.startsWith('lme_') ? auth.verify(token) : undefined;
    if (name === undefined) {
      const problem = refusal(token);
      return { status: 401, message: `Unauthorized: ${problem}`, headers: { 'www-authenticate': CHALLENGE(problem) } };
    }
    const budget = limiter.take(name);
    if (!budget.ok) return { status: 429, message: `Too many requests for token "${name}"`, headers: { 'retry-after': String(budget.retryAfterS) } };
    return { name };
  };
}

export type ClientCheck = ReturnType<typeof createClientCheck>;

/** The Fastify hook form of the client check: answers a refusal, or marks the request with the token's name. */
export function createGuard(check: ClientCheck) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const checked = check(request.headers);
    if ('status' in checked) return void (await jsonRpcError(reply, checked.status, -32000, checked.message, checked.headers));
    (request as FastifyRequest & { [TOKEN_NAME]?: string })[TOKEN_NAME] = checked.name;
  };
}
