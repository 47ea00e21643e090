import { Readable } from 'node:stream';

/**
 * Node 18's `Readable.toWeb` throws "Invalid state: Controller is already closed" from an event handler
 * when an HTTP response it wraps emits `close` after `end`: an uncaught exception that killed the hub on
 * Debian's Node 18.20.4 at its first forwarded call (the hub turns each edge's node:http response into a
 * fetch Response with it). Node 20 fixed it, so the hub service replaces it there only: same contract,
 * a byte stream that follows the Node stream's data, end and errors, with backpressure through pause/resume.
 */
export function installNode18StreamFix(nodeVersion: string = process.versions.node): boolean {
  if (Number.parseInt(nodeVersion, 10) >= 20) return false;
  (Readable as unknown as { toWeb: (stream: Readable) => ReadableStream<Uint8Array> }).toWeb = readableToWeb;
  return true;
}

export function readableToWeb(stream: Readable): ReadableStream<Uint8Array> {
  let settled = false;
  const settle = (finish: () => void) => {
    if (settled) return;
    settled = true;
    finish();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on('data', (chunk: Buffer | string) => {
        if (settled) return;
        controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) stream.pause();
      });
      stream.once('end', () => settle(() => controller.close()));
      stream.once('error', (error) => settle(() => controller.error(error)));
      // A close without end (connection lost mid-body) is an error for the reader, never a silent short body.
      stream.once('close', () => settle(() => controller.error(new Error('the connection closed before the body ended'))));
    },
    pull() {
      stream.resume();
    },
    cancel(reason) {
      settled = true;
      stream.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}
