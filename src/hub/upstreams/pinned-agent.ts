import { Agent, type AgentOptions } from 'node:https';
import type { RequestOptions } from 'node:http';
import { isIP, type OnReadOpts } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { formatPin, spkiSha256 } from '../../shared/tls-pin.js';

export { formatPin };

/** The edge presented a key other than the pinned one: never retried, reported as the device's down reason. */
export class PinMismatchError extends Error {
  readonly code = 'ERR_LANMCP_TLS_PIN_MISMATCH';
  constructor(readonly host: string, readonly expected: string, readonly actual: string | undefined) {
    super(`TLS pin mismatch at ${host}: the edge presented ${actual ? formatPin(actual) : 'no certificate'}, .lanmcp/ pins ${formatPin(expected)} ` +
      "(the edge's key changed; if you reinstalled it run `lanmcp apply` to pin the new key)");
    this.name = 'PinMismatchError';
  }
}

/** Lowercase hex SHA-256 of the peer's SubjectPublicKeyInfo, or undefined when it sent no certificate. */
export function peerSpkiSha256(socket: TLSSocket): string | undefined {
  const cert = socket.getPeerX509Certificate();
  return cert ? spkiSha256(cert.publicKey) : undefined;
}

/**
 * An https Agent that trusts exactly one public key. The certificate chain is not checked (the edge's is
 * self-signed; Node would then skip checkServerIdentity too); instead the socket is handed to http only
 * after the handshake showed the pinned key, so not one byte of a request — its bearer token least of all —
 * is written to a peer that has not proven it holds the pinned private key.
 */
export class PinnedAgent extends Agent {
  private readonly handshakeTimeoutMs: number;

  constructor(private readonly pin: string, options: AgentOptions & { handshakeTimeoutMs?: number } = {}) {
    super(options);
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  }

  override createConnection(options: RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    connectPinned({ host: String(options.host ?? 'localhost'), port: Number(options.port), timeout: options.timeout }, this.pin, this.handshakeTimeoutMs, (error, socket) => {
      if (error) callback?.(error, undefined as unknown as Duplex);
      else callback?.(null, socket!);
    });
    return undefined;
  }
}

/**
 * A TLS connection handed to `done` only once the handshake showed the pinned key (PinMismatchError
 * otherwise), the handshake bounded by `handshakeTimeoutMs`. Shared by PinnedAgent and the hub's edge link.
 */
export function connectPinned(
  target: { host: string; port: number; timeout?: number; onread?: OnReadOpts },
  pin: string,
  handshakeTimeoutMs: number,
  done: (error: Error | null, socket?: TLSSocket) => void,
): TLSSocket {
  const { host, port } = target;
  const socket = connect({
    host, port, rejectUnauthorized: false,
    ...(isIP(host) ? {} : { servername: host }),
    ...(target.timeout !== undefined ? { timeout: Number(target.timeout) } : {}),
    ...(target.onread ? { onread: target.onread } : {}),
  });
  const onError = (error: Error) => done(error);
  socket.once('error', onError);
  // A request given up on (its timeout, a cancel) does not own this socket yet: bound the handshake here,
  // or a device that drops packets would keep half-open sockets until the kernel's own timeout.
  // Removed again once connected: a later socket timeout (http's, for a request) must not report a handshake.
  const onHandshakeTimeout = () => socket.destroy(new Error(`no TLS handshake from ${host}:${port} within ${handshakeTimeoutMs} ms`));
  socket.setTimeout(handshakeTimeoutMs, onHandshakeTimeout);
  socket.once('secureConnect', () => {
    socket.setTimeout(0);
    socket.off('timeout', onHandshakeTimeout);
    socket.off('error', onError);
    const actual = peerSpkiSha256(socket);
    if (actual === pin) return done(null, socket);
    socket.destroy();
    done(new PinMismatchError(`${host}:${port}`, pin, actual));
  });
  return socket;
}
