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
 * Answers 413 and closes the connection, but first reads (and drops) what the client is still sending,
 * up to a bound: closing on unread data resets the socket, and the client would see a reset, not the 413.
 */
export function rejectTooLarge(req: IncomingMessage, res: ServerResponse, body: string): void {
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
  let drained = 0;
  const bound = 64 * 1_048_576;
  const timer = setTimeout(() => req.socket.destroy(), 10_000).unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bound) req.socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.resume();
}
