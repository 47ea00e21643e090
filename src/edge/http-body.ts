import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body as a string, or 'too-large' once it passes the limit (declared or counted). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        resolve('too-large');
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers 413 and closes the connection, but only once the client has sent its whole body (read and dropped,
 * up to a bound): answering while the client still writes makes the close reset the socket, and the client
 * would see a reset instead of the 413 (found by the lab fuzz run). Past the bound, or after 10 s, the socket
 * is closed without an answer: that client is not sending a request any more.
 */
export function rejectTooLarge(req: IncomingMessage, res: ServerResponse, body: string): void {
  const bound = 64 * 1_048_576;
  let drained = 0;
  const answer = () => {
    clearTimeout(timer);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  };
  const timer = setTimeout(() => req.socket.destroy(), 10_000).unref();
  if (req.complete) return answer();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bound) {
      clearTimeout(timer);
      req.socket.destroy();
    }
  });
  req.on('end', answer);
  req.resume();
}
