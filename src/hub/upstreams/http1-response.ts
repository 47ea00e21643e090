import { StringDecoder } from 'node:string_decoder';

/** What the parser hands on: the head once, the body as UTF-8 text in pieces, then the end or an error. */
export interface ResponseSink {
  head(status: number, headers: ReadonlyMap<string, string>): void;
  data(text: string): void;
  /** The body is complete; `reusable`: the connection may carry another request (keep-alive, nothing left over). */
  end(reusable: boolean): void;
}

/** The peer sent something that is not an HTTP/1.1 response we can read: the connection is unusable. */
export class MalformedResponseError extends Error {
  constructor(detail: string) {
    super(`malformed HTTP response from the edge: ${detail}`);
    this.name = 'MalformedResponseError';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n');
/** RFC 9110 token characters: a header name with anything else (a space before the colon) is refused. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type State = 'head' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'fixed' | 'until-close' | 'done';

/**
 * An incremental reader of one HTTP/1.1 response to a POST, for the hub's link to its own edges
 * (edge-link.ts): status line and headers, then a body framed by Content-Length, by chunked
 * transfer-encoding, or by the connection's close. 1xx heads are skipped. Bytes may arrive cut anywhere.
 * Sizes are bounded (head 64 KiB, chunk-size lines 1 KiB); the body's own bound is the caller's. Nothing
 * of a pushed buffer is kept after `push` returns, so the caller may reuse it (edge-link.ts reads into one).
 * `push` throws MalformedResponseError; after `end` any further byte is an error too (an edge never
 * sends one unasked), so a connection is pooled only when it is known to be clean.
 */
export function createResponseParser(sink: ResponseSink) {
  let state: State = 'head';
  // A head cut between reads: its pieces (copies: `chunk` may be a buffer the caller reuses), their total
  // length, and the last 3 bytes, where a CRLFCRLF may have begun. Searched piece by piece: linear in size.
  let headPieces: Buffer[] = [];
  let headBytes = 0;
  let headTail = Buffer.alloc(0);
  let trailerBytes = 0;
  let remaining = 0;
  let line = '';
  let keepAlive = true;
  let decoder: StringDecoder | undefined;

  const emit = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    // Bytes ending on an ASCII byte end no character midway, so while every piece so far did, each is decoded
    // as it is; from the first that does not, a StringDecoder holds the unfinished character back.
    if (!decoder && bytes[bytes.length - 1]! < 0x80) return sink.data(bytes.toString('utf8'));
    decoder ??= new StringDecoder('utf8');
    const text = decoder.write(bytes);
    if (text !== '') sink.data(text);
  };
  const finish = () => {
    state = 'done';
    const rest = decoder?.end() ?? '';
    if (rest !== '') sink.data(rest);
    sink.end(keepAlive);
  };

  /** Parses one complete head; after a 1xx head the state stays 'head': the real one follows. */
  const readHead = (text: string): void => {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
    if (!status) throw new MalformedResponseError(`bad status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const code = Number(status[2]);
    if (code === 101) throw new MalformedResponseError('a protocol switch (101) nobody asked for');
    if (code < 200) return;
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i]!.indexOf(':');
      if (colon <= 0) throw new MalformedResponseError(`bad header line ${JSON.stringify(lines[i]!.slice(0, 80))}`);
      const name = lines[i]!.slice(0, colon).toLowerCase();
      if (!TOKEN.test(name)) throw new MalformedResponseError(`bad header name ${JSON.stringify(name.slice(0, 80))}`);
      const value = lines[i]!.slice(colon + 1).trim();
      // Repeated headers are joined as RFC 9110 allows for lists; a repeated Content-Length must agree.
      const seen = headers.get(name);
      if (seen !== undefined && name === 'content-length' && seen !== value) throw new MalformedResponseError('conflicting Content-Length headers');
      headers.set(name, seen === undefined || name === 'content-length' ? value : `${seen}, ${value}`);
    }
    const connection = headers.get('connection')?.toLowerCase() ?? '';
    keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const encoding = headers.get('transfer-encoding')?.toLowerCase();
    const length = headers.get('content-length');
    sink.head(code, headers);
    if (code === 204 || code === 304) {
      finish();
    } else if (encoding !== undefined) {
      if (encoding !== 'chunked') throw new MalformedResponseError(`unsupported Transfer-Encoding ${JSON.stringify(encoding)}`);
      // Both framings at once is how request smuggling starts (RFC 9112 6.3): read chunked, then close.
      if (length !== undefined) keepAlive = false;
      state = 'chunk-size';
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw new MalformedResponseError(`bad Content-Length ${JSON.stringify(length)}`);
      remaining = Number(length);
      state = 'fixed';
      if (remaining === 0) finish();
    } else {
      // No framing: the body runs to the close, and the connection cannot be reused.
      keepAlive = false;
      state = 'until-close';
    }
  };

  /** The bytes of `chunk` from `at` up to the next CRLF, joined to what an earlier piece left; -1: not there yet. */
  const takeLine = (chunk: Buffer, at: number): number => {
    const lf = chunk.indexOf(10, at);
    const end = lf < 0 ? chunk.length : lf + 1;
    line += chunk.toString('latin1', at, end);
    if (line.length > MAX_CHUNK_LINE) throw new MalformedResponseError('a chunk-size or trailer line is too long');
    return lf < 0 ? -1 : end;
  };

  return {
    /** Feeds the bytes read from the connection; throws MalformedResponseError. */
    push(chunk: Buffer): void {
      let at = 0;
      while (at < chunk.length) {
        switch (state) {
          case 'head': {
            const piece = chunk.subarray(at);
            const probe = headTail.length > 0 ? Buffer.concat([headTail, piece]) : piece;
            const found = probe.indexOf(CRLF_CRLF);
            if (found < 0) {
              headBytes += piece.length;
              if (headBytes > MAX_HEAD_BYTES) throw new MalformedResponseError('the response head passed 64 KiB');
              headPieces.push(Buffer.from(piece));
              headTail = Buffer.from(probe.subarray(Math.max(0, probe.length - 3)));
              return;
            }
            // Where the head ends, counted in the bytes of this head so far.
            const end = headBytes + found - headTail.length;
            const text = headPieces.length > 0 ? Buffer.concat([...headPieces, piece]).toString('latin1', 0, end) : piece.toString('latin1', 0, end);
            at += end + 4 - headBytes;
            headPieces = [];
            headBytes = 0;
            headTail = Buffer.alloc(0);
            readHead(text);
            break;
          }
          case 'chunk-size': {
            const next = takeLine(chunk, at);
            if (next < 0) return;
            at = next;
            const size = /^([0-9a-fA-F]{1,8})[ \t]*(?:;.*)?\r\n$/.exec(line);
            if (!size) throw new MalformedResponseError(`bad chunk-size line ${JSON.stringify(line.slice(0, 40))}`);
            line = '';
            remaining = parseInt(size[1]!, 16);
            state = remaining === 0 ? 'trailers' : 'chunk-data';
            break;
          }
          case 'chunk-data':
          case 'fixed': {
            const take = Math.min(remaining, chunk.length - at);
            emit(chunk.subarray(at, at + take));
            at += take;
            remaining -= take;
            if (remaining === 0) {
              if (state === 'fixed') finish();
              else state = 'chunk-crlf';
            }
            break;
          }
          case 'chunk-crlf':
          case 'trailers': {
            const next = takeLine(chunk, at);
            if (next < 0) return;
            at = next;
            const ended = line === '\r\n';
            if (state === 'trailers' && (trailerBytes += line.length) > MAX_HEAD_BYTES) throw new MalformedResponseError('the trailers passed 64 KiB');
            line = '';
            if (state === 'chunk-crlf') {
              if (!ended) throw new MalformedResponseError('a chunk is longer than its size');
              state = 'chunk-size';
            } else if (ended) finish();
            break;
          }
          case 'until-close':
            emit(at === 0 ? chunk : chunk.subarray(at));
            return;
          case 'done':
            throw new MalformedResponseError('bytes after the end of the response');
        }
      }
    },
    /** The connection closed: true when that ended a body framed by the close; false when the response was cut. */
    close(): boolean {
      if (state !== 'until-close') return state === 'done';
      finish();
      return true;
    },
  };
}
