import { hostileBody, type HostileBody } from './hostile-values.js';
import type { Random } from './random.js';

// Hostile HTTP requests: each header variant is labelled with whether the server must accept it, so the
// tests can tell which check a request has to fail first (their order is the MCP rules table's).

/** A header value, or undefined to leave the header out; `ok` says whether a correct server lets it pass. */
export interface Variant {
  value: string | undefined;
  ok: boolean;
}

const v = (value: string | undefined, ok: boolean): Variant => ({ value, ok });

export function hostVariants(port: number): Variant[] {
  return [
    v(`127.0.0.1:${port}`, true), v(`localhost:${port}`, true), v('LOCALHOST', true), v(`[::1]:${port}`, true), v('127.0.0.1', true),
    v('evil.example.com', false), v(`evil.example.com:${port}`, false), v('localhost.evil.example.com', false), v('127.0.0.1.nip.io', false),
    v('user@evil.example.com', false), v('', false), v(' ', false), v(`evil.example.com/127.0.0.1:${port}`, false), v('x'.repeat(4000), false),
  ];
}

export const ORIGIN_VARIANTS: Variant[] = [
  v(undefined, true), v('http://localhost:5173', true), v('http://127.0.0.1', true),
  v('http://evil.example.com', false), v('null', false), v('file://', false), v('http://localhost.evil.example.com', false),
  v('http://127.0.0.1.evil.example.com', false), v('not a url', false), v('http://evil.example.com#@localhost', false),
];

export function authVariants(token: string): Variant[] {
  return [
    v(`Bearer ${token}`, true), v(`bearer ${token}`, true), v(`Bearer   ${token}  `, true),
    v(undefined, false), v('Bearer', false), v('Bearer ', false), v(`Basic ${token}`, false), v(`Bearer ${token}x`, false), v(`Bearer ${token.slice(0, -1)}`, false),
    v(`Bearer ${token} extra`, false), v(`Bearer\t${token}\tx`, false), v(`${token}`, false), v(`Bearer ${'A'.repeat(8000)}`, false),
    v('Bearer lme_0123456789abcdef0123456789', false), v(`Bearer ${token},Bearer ${token}`, false),
  ];
}

export const ACCEPT_VARIANTS: Variant[] = [
  v('application/json, text/event-stream', true), v('*/*', true), v('text/event-stream;q=0.5, application/json', true),
  v(undefined, false), v('application/json', false), v('text/event-stream', false), v('text/html', false), v('', false), v(',,,;;;', false),
];

export const CONTENT_TYPE_VARIANTS: Variant[] = [
  v('application/json', true), v('application/json; charset=utf-8', true), v('APPLICATION/JSON', true),
  v(undefined, false), v('text/plain', false), v('application/x-www-form-urlencoded', false), v('multipart/form-data; boundary=x', false),
  v('application/jsonx', false), v('', false), v('application/json-patch+json', false),
];

export const PROTOCOL_VERSION_VARIANTS: Variant[] = [
  v(undefined, true), v('2025-11-25', true), v('2025-06-18', true), v('2024-11-05', true),
  v('1999-01-01', false), v('', false), v('2025-11-25, 2025-06-18', false), v('latest', false), v('x'.repeat(2000), false),
];

export const SESSION_ID_VARIANTS = [undefined, undefined, undefined, '', 'abc', '00000000-0000-0000-0000-000000000000', '../../etc/passwd', 'x'.repeat(6000)];

export const OTHER_METHODS = ['GET', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'];

export function paths(r: Random): string {
  return r.chance(0.9) ? '/mcp' : r.pick(['/mcp?x=1', '/mcp/', '/MCP', '//mcp', '/mcp/../mcp', '/mcp%00', '/healthz', '/.well-known/oauth-protected-resource', '/', '*', `/${'a'.repeat(3000)}`, '/mcp#frag', '/%2e%2e/mcp']);
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Which labelled headers a correct server must refuse (first one by the rules' order wins). */
  refused: { host: boolean; origin: boolean; auth: boolean; accept: boolean; contentType: boolean; version: boolean };
  body: HostileBody;
}

/** Mostly valid headers with a few hostile ones; every variant family is drawn from its own list. */
export function hostileRequest(r: Random, options: { port: number; token: string; maxBytes: number; argumentDepth: number }): HostileRequest {
  const pickOr = (list: Variant[], mutate: number) => (r.chance(mutate) ? r.pick(list) : list[0]!);
  const host = pickOr(hostVariants(options.port), 0.15);
  const origin = pickOr(ORIGIN_VARIANTS, 0.15);
  const auth = pickOr(authVariants(options.token), 0.2);
  const accept = pickOr(ACCEPT_VARIANTS, 0.12);
  const contentType = pickOr(CONTENT_TYPE_VARIANTS, 0.12);
  const version = pickOr(PROTOCOL_VERSION_VARIANTS, 0.12);
  const headers: Record<string, string> = {};
  const set = (name: string, value: string | undefined) => { if (value !== undefined) headers[name] = value; };
  set('host', host.value);
  set('origin', origin.value);
  set('authorization', auth.value);
  set('accept', accept.value);
  set('content-type', contentType.value);
  set('mcp-protocol-version', version.value);
  set('mcp-session-id', r.chance(0.2) ? r.pick(SESSION_ID_VARIANTS) : undefined);
  if (r.chance(0.05)) headers['x-filler'] = 'f'.repeat(r.int(1000, 20_000));
  return {
    method: r.chance(0.85) ? 'POST' : r.pick(OTHER_METHODS), path: paths(r), headers,
    refused: { host: !host.ok, origin: !origin.ok, auth: !auth.ok, accept: !accept.ok, contentType: !contentType.ok, version: !version.ok },
    body: hostileBody(r, options),
  };
}

/** Byte-level requests node:http's client would refuse to send: bad framing, control bytes, conflicting lengths. */
export function rawRequests(port: number, token: string): string[] {
  const head = `Host: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n`;
  const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
  return [
    `POST /mcp HTTP/1.1\r\n${head}Content-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}`,
    `POST /mcp HTTP/1.1\r\n${head}Content-Length: -1\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Content-Length: 99999999999999999999\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    `POST /mcp HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n`,
    `POST /mcp HTTP/1.1\r\n${head}X-Nul: a\u0000b\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Bad Header Name: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head} folded: continuation\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.0\r\n${head}Content-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/9.9\r\n${head}Content-Length: ${body.length}\r\n\r\n${body}`,
    `POST  /mcp  HTTP/1.1\r\n${head}\r\n`,
    `GARBAGE\r\n\r\n`,
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example.com\r\nAuthorization: Bearer ${token}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Authorization: Bearer wrong\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}X-Big: ${'b'.repeat(70_000)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /mcp HTTP/1.1\r\n${head}Content-Length: ${body.length + 100}\r\n\r\n${body}`,
    `POST http://evil.example.com/mcp HTTP/1.1\r\n${head}Content-Length: ${body.length}\r\n\r\n${body}`,
    `\r\n\r\n\r\n`,
    `POST /mcp HTTP/1.1\r\n${head}\n\n`,
  ];
}
