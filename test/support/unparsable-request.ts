import { connect } from 'node:net';

export interface UnparsableOutcome {
  /** What the server sent back (latin1), normally one status line, headers and a small body. */
  answer: string;
  /** The socket error the client met (ECONNRESET, EPIPE), or '' when the server closed cleanly. */
  error: string;
}

/**
 * A request whose head node:http refuses (a header of `fillerBytes`), from a client that keeps sending its
 * body after the answer arrived, as a client does whose body is still in flight when the refusal comes.
 * `afterAnswer` bytes are sent once the answer is in (in parts), then the client half-closes and waits for the
 * server to close. A server that destroyed the socket at once answers those bytes with a reset.
 */
/** A request head node:http refuses (431): a `fillerBytes` header, announcing a body of `bodyBytes`. */
export function oversizedHead(options: { fillerBytes: number; bodyBytes: number; host?: string }): string {
  return `POST /mcp HTTP/1.1\r\nHost: ${options.host ?? '127.0.0.1'}\r\nContent-Type: application/json\r\nContent-Length: ${options.bodyBytes}\r\nX-Filler: ${'f'.repeat(options.fillerBytes)}\r\n\r\n`;
}

export function sendUnparsableThenKeepWriting(port: number, options: { fillerBytes: number; afterAnswer: number; host?: string }): Promise<UnparsableOutcome> {
  const head = oversizedHead({ fillerBytes: options.fillerBytes, bodyBytes: 1024 + options.afterAnswer, host: options.host ?? `127.0.0.1:${port}` });
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error = '';
    let sentRest = false;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (sentRest || !Buffer.concat(chunks).includes('\r\n\r\n')) return;
      sentRest = true;
      // In four parts 50 ms apart: a server that closed its socket answers a part with a reset, which the
      // next write then meets (EPIPE); a server that lingers takes them all.
      const part = Math.ceil(options.afterAnswer / 4);
      for (let i = 1; i <= 4; i++) {
        setTimeout(() => {
          const bytes = 'x'.repeat(Math.min(part, options.afterAnswer - (i - 1) * part));
          if (i < 4) socket.write(bytes);
          else socket.end(bytes);
        }, 50 * i);
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code ?? e.message; });
    socket.on('close', () => resolve({ answer: Buffer.concat(chunks).toString('latin1'), error }));
    socket.write(head + 'x'.repeat(1024));
  });
}
