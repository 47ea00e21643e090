import { describe, expect, it } from 'vitest';
import { createResponseParser, MalformedResponseError } from '../../../src/hub/upstreams/http1-response.js';

interface Read {
  status?: number;
  headers?: Record<string, string>;
  body: string;
  ended?: { reusable: boolean };
}

/** Feeds `pieces` and returns what the sink heard; `close` then tells the parser the connection closed. */
function read(pieces: Array<string | Buffer>, close = false): Read & { closeEnded?: boolean } {
  const out: Read & { closeEnded?: boolean } = { body: '' };
  const parser = createResponseParser({
    head: (status, headers) => Object.assign(out, { status, headers: Object.fromEntries(headers) }),
    data: (text) => { out.body += text; },
    end: (reusable) => { out.ended = { reusable }; },
  });
  for (const piece of pieces) parser.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  if (close) out.closeEnded = parser.close();
  return out;
}

/** Every way of cutting `bytes` in two, and in pieces of 1 to 5 bytes. */
function cuts(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [];
  for (let at = 1; at < bytes.length; at++) all.push([bytes.subarray(0, at), bytes.subarray(at)]);
  for (let size = 1; size <= 5; size++) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
    all.push(pieces);
  }
  return all;
}

const chunk = (text: string, extension = '') => `${Buffer.byteLength(text).toString(16)}${extension}\r\n${text}\r\n`;
const SSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
  chunk('event: message\ndata: {"x":"é"}\n') + chunk('\n\n\n', ';ext=1') + '0\r\nx-trailer: 1\r\n\r\n';
const JSON_ANSWER = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength('{"ok":"naïve"}')}\r\n\r\n{"ok":"naïve"}`;

describe('HTTP/1.1 response parser (the hub\'s edge link)', () => {
  it('reads a chunked answer: head, body decoded as UTF-8, trailers skipped, reusable', () => {
    expect(read([SSE])).toEqual({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' },
      body: 'event: message\ndata: {"x":"é"}\n\n\n\n',
      ended: { reusable: true },
    });
  });

  it('reads a Content-Length answer, and a 204 without a body', () => {
    expect(read([JSON_ANSWER])).toMatchObject({ status: 200, body: '{"ok":"naïve"}', ended: { reusable: true } });
    expect(read(['HTTP/1.1 204 No Content\r\n\r\n'])).toMatchObject({ status: 204, body: '', ended: { reusable: true } });
  });

  it('gives the same result however the bytes are cut, a UTF-8 character included', () => {
    for (const answer of [SSE, JSON_ANSWER]) {
      const whole = read([answer]);
      for (const pieces of cuts(Buffer.from(answer, 'utf8'))) expect(read(pieces)).toEqual(whole);
    }
  });

  it('keeps nothing of a pushed buffer: the caller may overwrite it, as the edge link does with its read buffer', () => {
    const out: string[] = [];
    const parser = createResponseParser({ head: (status, h) => out.push(`${status} ${h.get('content-type')}`), data: (t) => out.push(t), end: () => out.push('end') });
    const buffer = Buffer.alloc(64);
    const feed = (text: string) => {
      const n = buffer.write(text, 'latin1');
      parser.push(buffer.subarray(0, n));
      buffer.fill(0x58);
    };
    feed('HTTP/1.1 200 OK\r\ncontent-ty');
    feed('pe: text/plain\r\ncontent-length: 4\r\n\r\nab');
    feed('cd');
    expect(out).toEqual(['200 text/plain', 'ab', 'cd', 'end']);
  });

  it('skips a 1xx head; a close header, HTTP/1.0 or a body that runs to the close make the connection single-use', () => {
    expect(read(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'])).toMatchObject({ status: 200, body: 'ok', ended: { reusable: true } });
    expect(read(['HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 2\r\n\r\nok']).ended).toEqual({ reusable: false });
    expect(read(['HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok']).ended).toEqual({ reusable: false });
    expect(read(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 2\r\n\r\nok']).ended).toEqual({ reusable: true });
    const toClose = read(['HTTP/1.1 200 OK\r\n\r\nall of ', 'it'], true);
    expect(toClose).toMatchObject({ body: 'all of it', ended: { reusable: false }, closeEnded: true });
  });

  it('framing rules: 204 has no body even if it says chunked; chunked and Content-Length together are read chunked, then the connection is closed', () => {
    expect(read(['HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n'])).toMatchObject({ status: 204, body: '', ended: { reusable: true } });
    expect(read(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 99\r\n\r\n2\r\nok\r\n0\r\n\r\n'])).toMatchObject({ body: 'ok', ended: { reusable: false } });
  });

  it('a long head fed one byte at a time is read whole', () => {
    const answer = `HTTP/1.1 200 OK\r\nx-long: ${'v'.repeat(60_000)}\r\ncontent-length: 2\r\n\r\nok`;
    const bytes = Buffer.from(answer);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1));
    const out = read(pieces);
    expect([out.status, out.headers?.['x-long']?.length, out.body, out.ended]).toEqual([200, 60_000, 'ok', { reusable: true }]);
  });

  it('a close before the end is reported as a cut answer', () => {
    expect(read(['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort'], true)).toMatchObject({ body: 'short', closeEnded: false });
    expect(read(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n'], true)).toMatchObject({ body: 'hello', closeEnded: false });
    expect(read(['HTTP/1.1 200'], true).closeEnded).toBe(false);
    for (const cut of [read(['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort'], true), read(['HTTP/1.1 200'], true)]) expect(cut.ended).toBeUndefined();
  });

  it.each([
    ['a status line that is not HTTP/1.x', ['SSH-2.0-OpenSSH_9.2\r\n\r\n'], /bad status line "SSH-2.0-OpenSSH_9.2"/],
    ['a header line without a colon', ['HTTP/1.1 200 OK\r\nnonsense\r\n\r\n'], /bad header line "nonsense"/],
    ['conflicting Content-Length headers', ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n'], /conflicting Content-Length/],
    ['a Content-Length that is not a number', ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'], /bad Content-Length "-1"/],
    ['a transfer-encoding other than chunked', ['HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n'], /unsupported Transfer-Encoding "gzip"/],
    ['a chunk-size that is not hex', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'], /bad chunk-size line/],
    ['a chunk longer than its size', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n'], /longer than its size/],
    ['bytes after the end', ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'], /bytes after the end/],
    ['a head past 64 KiB', ['HTTP/1.1 200 OK\r\n', `x-big: ${'a'.repeat(70_000)}`], /head passed 64 KiB/],
    ['a protocol switch nobody asked for', ['HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n'], /protocol switch \(101\)/],
    ['a header name with a space before the colon', ['HTTP/1.1 200 OK\r\ncontent-length : 2\r\n\r\nok'], /bad header name "content-length "/],
    ['trailers past 64 KiB', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n', ...Array.from({ length: 80 }, () => `x-t: ${'a'.repeat(1000)}\r\n`)], /trailers passed 64 KiB/],
    ['an endless chunk-size line', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '0'.repeat(2000)], /too long/],
  ])('refuses %s', (_what, pieces, message) => {
    let error: unknown;
    try {
      read(pieces);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(message);
  });
});
