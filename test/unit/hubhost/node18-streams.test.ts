import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installNode18StreamFix, readableToWeb } from '../../../src/hubhost/node18-streams.js';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('the Node 18 Readable.toWeb replacement', () => {
  it('ends once even when the source emits close after end (what crashed Node 18\'s own)', async () => {
    const source = new PassThrough();
    const web = readableToWeb(source);
    source.write('hello ');
    source.end('world');
    await expect(readAll(web)).resolves.toBe('hello world');
    source.destroy();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('reports a body cut short (close without end) as an error, and passes errors on', async () => {
    const cut = new PassThrough();
    const web = readableToWeb(cut);
    cut.write('part');
    cut.destroy();
    await expect(readAll(web)).rejects.toThrow(/closed before the body ended/);
    const broken = new PassThrough();
    const failing = readableToWeb(broken);
    broken.destroy(new Error('ECONNRESET'));
    await expect(readAll(failing)).rejects.toThrow('ECONNRESET');
  });

  it('cancelling the web stream destroys the source', async () => {
    const source = new PassThrough();
    const web = readableToWeb(source);
    await web.cancel(new Error('not needed'));
    expect(source.destroyed).toBe(true);
  });

  it('is installed on Node 18 only', () => {
    expect(installNode18StreamFix('20.20.2')).toBe(false);
    expect(installNode18StreamFix('22.1.0')).toBe(false);
  });
});
