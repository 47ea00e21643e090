// How every HTML answer of the status page goes out: strict headers, never cached.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cameOverHttps, sessionCookie } from './http-bits.js';
import { STATUS_PAGE_CSS } from './style.js';

// No script may run, the one stylesheet is allowed by its hash, forms post only here, no framing.
// Referrer-Policy same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the
// sign-in POST, which the Host/Origin check refuses.
const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': CSP,
  'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin',
};

export function sendHtml(reply: FastifyReply, status: number, body: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers({ ...PAGE_HEADERS, ...headers }).send(body);
}

/** 303 to the page, setting (or, with an empty id, clearing) the session cookie. */
export function redirectHome(request: FastifyRequest, reply: FastifyReply, sessionId: string, maxAgeS: number) {
  const cookie = sessionCookie(sessionId, maxAgeS, cameOverHttps(request.protocol, request.headers));
  return reply.code(303).headers({ location: '/', 'cache-control': 'no-store', 'set-cookie': cookie }).send();
}

/** The Set-Cookie header that clears the session cookie. */
export function clearCookieHeader(request: FastifyRequest): Record<string, string> {
  return { 'set-cookie': sessionCookie('', 0, cameOverHttps(request.protocol, request.headers)) };
}
