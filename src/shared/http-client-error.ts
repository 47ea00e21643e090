import type { Duplex } from 'node:stream';

// What the edge and the hub answer when node:http cannot parse a request (a head over its 16 KiB limit, bad
// framing, a request timeout). Node's own handler writes the status and destroys the socket at once. If the
// client is still sending its body then, the server's kernel answers the next bytes with a reset, and over a
// real network the client often sees ECONNRESET instead of the status: 265 of 600 requests with a 19 KB
// header and a 53 KB body to an edge on a lab device (Node 18, over the lab bridge), 0 of 600 with this.
// So the status goes out with `Connection: close`, the write side is closed, and what the client still sends
// is read and dropped, bounded in bytes and time: the "lingering close" of Apache and nginx.

export interface LingerOptions {
  /** Bytes read and dropped after the answer before the socket is destroyed. */
  maxBytes: number;
  /** Time after the answer before the socket is destroyed, whatever the client still does. */
  maxMs: number;
  /**
   * Holds the sockets lingering now, for a shutdown to destroy: node:http counts a socket whose request
   * failed in its head as neither idle nor busy, so server.close() would wait for its timer.
   */
  lingering?: Set<Duplex>;
}

/** How long a refused client may go on sending: the edge's bound for a body it drops (http-body.ts). */
export const LINGER_MS = 10_000;

const answered = new WeakSet<Duplex>();

/** The status line for a request node:http could not parse. */
export function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return '413 Payload Too Large';
  return '400 Bad Request';
}

/** A `clientError` listener for an http.Server (Fastify: the `clientErrorHandler` option). */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, options: LingerOptions): void {
  // An errored parser reports the error again for every later chunk: the first report is the one answered.
  if (answered.has(socket)) return;
  answered.add(socket);
  // Node's own check: a response already on its way must not get a status line in its middle; a response
  // still being prepared would write to a closed socket, so that socket goes at once, as with Node.
  const inFlight = (socket as { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  // No body: the method is unknown, and after a HEAD any body bytes would break the client's parser.
  socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  if (inFlight) {
    socket.destroy();
    return;
  }
  lingerThenClose(socket, options);
}

/** Reads and drops the client's remaining bytes until it closes, or destroys the socket past the bounds. */
function lingerThenClose(socket: Duplex, options: LingerOptions): void {
  // The errored parser is node:http's 'data' listener: without it no chunk is parsed (and reported) again.
  socket.removeAllListeners('data');
  let dropped = 0;
  const timer = setTimeout(() => socket.destroy(), options.maxMs).unref();
  options.lingering?.add(socket);
  socket.on('close', () => {
    clearTimeout(timer);
    options.lingering?.delete(socket);
  });
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > options.maxBytes) socket.destroy();
  });
  socket.resume();
}
