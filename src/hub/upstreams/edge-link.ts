import { connect as tcpConnect, type Socket } from 'node:net';
import { createResponseParser, MalformedResponseError } from './http1-response.js';
import { connectPinned } from './pinned-agent.js';

/** What one exchange reports, in this order: head, data pieces, then end — or error at any point. */
export interface ExchangeHandlers {
  head(status: number, headers: ReadonlyMap<string, string>): void;
  /** A piece of the body decoded as UTF-8 (a character cut between reads is held back until complete). */
  data(text: string): void;
  end(): void;
  /** Connecting, the TLS pin, a reset, a malformed answer, or a close before the end. */
  error(error: Error): void;
}

/** Header lines checked and joined once (prepareHeaders), then sent with every request that uses them. */
export interface PreparedHeaders {
  readonly text: string;
}

/** Refuses a name or value holding CR, LF or NUL: it would split the request (header injection). */
export function prepareHeaders(headers: Record<string, string>): PreparedHeaders {
  let text = '';
  for (const [name, value] of Object.entries(headers)) {
    if (UNSAFE_HEADER.test(name) || UNSAFE_HEADER.test(value)) throw new Error(`refusing to send header ${JSON.stringify(name)}: it holds a line break or NUL`);
    text += `${name.toLowerCase()}: ${value}\r\n`;
  }
  return { text };
}

export interface Exchange {
  /** Gives the exchange up: its connection is closed and its handlers hear nothing more. */
  destroy(): void;
}

export interface EdgeLinkOptions {
  url: URL;
  /** Hex SHA-256 of the edge's TLS public key: the link speaks TLS and only to that key. None: plain HTTP. */
  pin?: string;
  handshakeTimeoutMs?: number;
}

/** Far below the edge's keepAliveTimeout (65 s): a request never meets a connection the edge is just closing. */
const IDLE_REUSE_MS = 30_000;
const MAX_IDLE = 64;
const UNSAFE_HEADER = /[\r\n\0]/;
/** Each connection reads into its own buffer of this size (a TLS record is at most 16 KiB). */
const READ_BUFFER_BYTES = 16 * 1024;
/**
 * Errors that mean a reused connection was gone before it carried the request (a reset, a clean close,
 * a write to a closed socket): only these send the request again. Anything else (a timeout, an
 * unreachable host) may come after the edge took the request, so it is reported, never resent.
 */
const RESEND_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_DESTROYED']);

interface Connection {
  socket: Socket;
  /** The exchange reading from this connection; none while it sits idle. */
  active?: Active;
  idleSince: number;
}

interface Active {
  push(chunk: Buffer): void;
  /** `clean`: the connection closed without an error, which ends a body that runs to the close. */
  lost(error: Error, clean: boolean): void;
}

export type EdgeLink = ReturnType<typeof createEdgeLink>;

/**
 * The hub's HTTP/1.1 client for its own edges: POSTs on keep-alive connections (TLS with the pinned key,
 * or plain TCP), each request written as one string and its answer read by http1-response.ts.
 *
 * Why not node:http: in a freshly started process every layer runs cold, and Node's HTTP client is a thick
 * one (ClientRequest, IncomingMessage, the Agent's bookkeeping): a bare Node forwarder in front of a lab
 * edge added 0.79 ms per call with http.request and 0.46 ms with a raw keep-alive socket, and undici's
 * Client measured no better than node:http (docs/hub.md, "Conformance and measurements"). The peer is
 * always lanmcp's own edge (src/edge/http.ts), so the subset needed is small: Content-Length or chunked
 * bodies, keep-alive, no pipelining. Like Node's Agent (and its documented `reusedSocket` advice), a request
 * on a reused connection that was reset or closed before any byte of an answer is sent once more on a new
 * connection: the edge closed that idle connection, so the request never reached it.
 */
export function createEdgeLink(options: EdgeLinkOptions) {
  const { url, pin } = options;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const requestLine = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  // Sockets not yet connected (or, with TLS, not yet past the pin check): close() ends them too.
  const connecting = new Set<Socket>();
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  let closed = false;
  const closing = () => new Error('the hub is closing its connections to this edge');

  /** Opens a connection; the socket while it connects (destroy it with an error to give up), if any. */
  function connect(done: (error: Error | null, connection?: Connection) => void): Socket | undefined {
    if (closed) {
      setImmediate(() => done(closing()));
      return undefined;
    }
    // Reads go straight from the socket into this buffer and to the exchange (net's `onread`), with no
    // Readable stream between: its push, flow and nextTick work cost a cold hub more than the parsing.
    let connection: Connection | undefined;
    const onread = {
      buffer: Buffer.alloc(READ_BUFFER_BYTES),
      callback: (bytes: number, buffer: Buffer): boolean => {
        // Bytes on an idle connection were never asked for: it is dropped.
        if (connection?.active) connection.active.push(buffer.subarray(0, bytes));
        else connection?.socket.destroy();
        return true;
      },
    };
    const opened = (error: Error | null, socket?: Socket) => {
      connecting.delete(pending);
      if (error) return done(error);
      if (closed) {
        socket!.destroy();
        return done(closing());
      }
      socket!.setNoDelay(true);
      socket!.setKeepAlive(true, 1000);
      const made: Connection = { socket: socket!, idleSince: 0 };
      connection = made;
      all.add(made);
      // Listeners for the connection's life, not per request: what an error means depends on whether an
      // exchange is reading.
      socket!.on('error', (error: Error) => made.active?.lost(error, false));
      socket!.on('close', (hadError: boolean) => {
        all.delete(made);
        const at = idle.indexOf(made);
        if (at >= 0) idle.splice(at, 1);
        made.active?.lost(Object.assign(new Error('the edge closed the connection'), { code: 'ECONNRESET' }), !hadError);
      });
      done(null, made);
    };
    const pending: Socket = pin ? connectPinned({ host, port, onread }, pin, timeoutMs, opened) : connectTcp(onread, opened);
    connecting.add(pending);
    return pending;
  }

  /** Plain TCP, bounded like the TLS handshake: a device that drops packets must not hold a call for minutes. */
  function connectTcp(onread: { buffer: Buffer; callback: (bytes: number, buffer: Buffer) => boolean }, done: (error: Error | null, socket?: Socket) => void): Socket {
    const socket = tcpConnect({ host, port, onread });
    const onError = (error: Error) => done(error);
    const onTimeout = () => socket.destroy(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
    socket.once('error', onError);
    socket.setTimeout(timeoutMs, onTimeout);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('error', onError);
      done(null, socket);
    });
    return socket;
  }

  function takeIdle(): Connection | undefined {
    const now = Date.now();
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      const { socket } = connection;
      if (now - connection.idleSince < IDLE_REUSE_MS && !socket.destroyed && socket.writable) {
        socket.ref();
        return connection;
      }
      socket.destroy();
    }
    return undefined;
  }

  function release(connection: Connection, reusable: boolean): void {
    connection.active = undefined;
    if (!reusable || closed || idle.length >= MAX_IDLE || connection.socket.destroyed) return void connection.socket.destroy();
    connection.idleSince = Date.now();
    // An idle connection does not keep the process alive, as an idle socket of Node's Agent does not.
    connection.socket.unref();
    idle.push(connection);
  }

  /** One POST with `headers` and `body` (Host and Content-Length are the link's); `handlers` hear how it went. */
  function exchange(headers: PreparedHeaders, body: string, handlers: ExchangeHandlers): Exchange {
    const request = `${requestLine}${headers.text}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    let over = false;
    let current: Connection | undefined;
    let pending: Socket | undefined;

    const send = (connection: Connection, reused: boolean) => {
      if (over) return release(connection, true);
      current = connection;
      let answered = false;
      const parser = createResponseParser({
        head: (status, fields) => { if (!over) handlers.head(status, fields); },
        data: (piece) => { if (!over) handlers.data(piece); },
        end: (reusable) => {
          if (over) return;
          over = true;
          release(connection, reusable);
          handlers.end();
        },
      });
      connection.active = {
        push(chunk) {
          answered = true;
          try {
            parser.push(chunk);
          } catch (error) {
            // A malformed answer, or (a bug) a handler that threw: the exchange fails, the hub stays up.
            this.lost(error instanceof Error ? error : new Error(String(error)), false);
            connection.socket.destroy();
          }
        },
        lost(error, clean) {
          if (over) return;
          connection.active = undefined;
          if (clean && parser.close()) return;
          if (reused && !answered && RESEND_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return void start(false);
          over = true;
          handlers.error(error);
        },
      };
      connection.socket.write(request);
    };

    const start = (mayReuse: boolean) => {
      const reuse = mayReuse ? takeIdle() : undefined;
      if (reuse) return send(reuse, true);
      pending = connect((error, connection) => {
        pending = undefined;
        if (error) {
          if (!over) {
            over = true;
            handlers.error(error);
          }
          return;
        }
        send(connection!, false);
      });
    };

    start(true);
    return {
      destroy() {
        if (over) return;
        over = true;
        pending?.destroy(new Error('the call was given up while connecting'));
        if (current?.active) {
          current.active = undefined;
          current.socket.destroy();
        }
      },
    };
  }

  return {
    exchange,
    /** Closes every connection, idle or busy; exchanges still running end with an error. */
    close(): void {
      closed = true;
      idle.length = 0;
      for (const connection of all) connection.socket.destroy();
      for (const socket of connecting) socket.destroy(closing());
    },
  };
}
