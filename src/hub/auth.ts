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

/**
 * The checks every protected route runs, in order: Host/Origin (403), bearer token (401, with a
 * WWW-Authenticate challenge and no OAuth discovery), per-token rate limit (429 + Retry-After).
 */
export function createGuard(allowedHosts: readonly string[], auth: ClientAuth, limiter: ReturnType<typeof createRateLimiter>) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const hostProblem = checkHostAndOrigin(request.headers.host, request.headers.origin, allowedHosts);
    if (hostProblem) return void (await jsonRpcError(reply, 403, -32000, `Forbidden: ${hostProblem}`));
    const token = bearerOf(request.headers.authorization);
    const name = token !== undefined && !token.startsWith('lme_') ? auth.verify(token) : undefined;
    if (name === undefined) {
      const problem = refusal(token);
      return void (await jsonRpcError(reply, 401, -32000, `Unauthorized: ${problem}`, { 'www-authenticate': CHALLENGE(problem) }));
    }
    const budget = limiter.take(name);
    if (!budget.ok) {
      return void (await jsonRpcError(reply, 429, -32000, `Too many requests for token "${name}"`, { 'retry-after': String(budget.retryAfterS) }));
    }
    (request as FastifyRequest & { [TOKEN_NAME]?: string })[TOKEN_NAME] = name;
  };
}
