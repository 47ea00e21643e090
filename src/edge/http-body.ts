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
 * Calls `answer` once the client has sent its whole body (read and dropped, up to `bound` bytes): answering
 * while the client still writes makes the close that follows reset the socket, and the client would see a
 * reset instead of the answer (found by the lab fuzz run). Past the bound, or after 10 s, the socket is
 * closed without an answer: that client is not sending a request any more.
 */
export function answerAfterBody(req: IncomingMessage, res: ServerResponse, bound: number, answer: () => void): void {
  let drained = 0;
  const timer = setTimeout(() => req.socket.destroy(), 10_000).unref();
  const done = () => {
    clearTimeout(timer);
    if (!res.headersSent && !res.destroyed) answer();
  };
  if (req.complete) return done();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bound) {
      clearTimeout(timer);
      req.socket.destroy();
    }
  });
  req.on('end', done);
  req.resume();
}

/** 413 once the client's body is in (see answerAfterBody), then the connection closes. */
export function rejectTooLarge(req: IncomingMessage, res: ServerResponse, body: string): void {
  answerAfterBody(req, res, 64 * 1_048_576, () => {
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
}
