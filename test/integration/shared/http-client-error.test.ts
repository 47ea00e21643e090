import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientError, clientErrorStatus } from '../../../src/shared/http-client-error.js';
import { oversizedHead, sendUnparsableThenKeepWriting } from '../../support/unparsable-request.js';

// The lingering close on a bare node:http server: what the edge and the hub add to it is tested with them
// (test/integration/edge/http.test.ts, test/integration/fuzz/hub-findings.test.ts).
let server: Server | undefined;
afterEach(() => server?.close());

async function listen(maxBytes: number, maxMs: number): Promise<{ port: number; reports: () => number; answered: () => Duplex[] }> {
  const sockets: Duplex[] = [];
  let reports = 0;
  server = createServer((_req, res) => res.end('ok'));
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    reports += 1;
    sockets.push(socket);
    answerClientError(error, socket, { maxBytes, maxMs });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, reports: () => reports, answered: () => sockets };
}

describe('answerClientError', () => {
  it('without it, node:http resets a client that still sends its body after the 431 (what it fixes)', async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const outcome = await sendUnparsableThenKeepWriting((server.address() as AddressInfo).port, { fillerBytes: 20_000, afterAnswer: 4000 });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(outcome.error).toMatch(/ECONNRESET|EPIPE/);
  });

  it('answers once, drops the rest of the body, and closes when the client does', async () => {
    const { port, reports } = await listen(1_000_000, 5000);
    const outcome = await sendUnparsableThenKeepWriting(port, { fillerBytes: 20_000, afterAnswer: 500_000 });
    expect(outcome).toMatchObject({ error: '' });
    expect(outcome.answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    // node:http's errored parser reports every later chunk again unless it stops getting them.
    expect(reports()).toBe(1);
  });

  it('destroys the socket once the client has sent more than maxBytes after the answer', async () => {
    const { port, answered } = await listen(4096, 5000);
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    client.on('error', () => {});
    client.write(oversizedHead({ fillerBytes: 20_000, bodyBytes: 100_000 }));
    await new Promise((resolve) => client.once('data', resolve));
    const [socket] = answered();
    const closed = new Promise((resolve) => socket!.once('close', resolve));
    client.write('x'.repeat(4000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(socket!.destroyed).toBe(false);
    client.write('x'.repeat(200));
    await closed;
    client.destroy();
  });

  it('destroys the socket of a client that stays connected and silent after the answer once maxMs has passed', async () => {
    const { port, answered } = await listen(1_000_000, 200);
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    client.on('error', () => {});
    client.write(oversizedHead({ fillerBytes: 20_000, bodyBytes: 100_000 }));
    const answer = await new Promise<string>((resolve) => client.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const [socket] = answered();
    expect(socket!.destroyed).toBe(false);
    await new Promise((resolve) => socket!.once('close', resolve));
    client.destroy();
  });

  // Found by the lab fuzz run (seed 20261126, request #811, `HEAD *`, which Node 18 cannot parse): a JSON
  // body after the 400 broke the client's parser. Here a head too large makes the HEAD unparsable.
  it('a HEAD it cannot parse gets a status its client can read: no body after the head', async () => {
    const { port } = await listen(4096, 5000);
    const reply = await new Promise<string>((resolve) => {
      let seen = '';
      const req = request({ host: '127.0.0.1', port, method: 'HEAD', path: '/mcp', agent: false, headers: { 'x-filler': 'f'.repeat(20_000) } }, (res) => {
        seen = `${res.statusCode} ${res.headers.connection}`;
        res.resume();
      });
      req.on('error', (error) => { seen += ` then ${error.message}`; });
      req.on('close', () => resolve(seen));
      req.end();
    });
    expect(reply).toBe('431 close');
  });

  it('names the status of each parse error node:http reports', () => {
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW')).toBe('431 Request Header Fields Too Large');
    expect(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT')).toBe('408 Request Timeout');
    expect(clientErrorStatus('HPE_CHUNK_EXTENSIONS_OVERFLOW')).toBe('413 Payload Too Large');
    expect(clientErrorStatus('HPE_INVALID_METHOD')).toBe('400 Bad Request');
  });
});
