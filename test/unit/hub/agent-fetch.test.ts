import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentFetch } from '../../../src/hub/upstreams/agent-fetch.js';

// The reset is simulated by the server: it resets chosen requests' sockets without answering.
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => { server?.closeAllConnections(); server ? server.close(() => resolve()) : resolve(); }));

async function start(resetWhen: (requestIndex: number, socketRequestIndex: number) => boolean) {
  const perSocket = new WeakMap<Socket, number>();
  const seen: string[] = [];
  server = createServer((req, res) => {
    const onSocket = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, onSocket);
    seen.push(`${req.method} ${req.url}`);
    if (resetWhen(seen.length, onSocket)) return void req.socket.resetAndDestroy();
    if (req.headers.authorization) seen.push(`authorization: ${req.headers.authorization}`);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }).end(JSON.stringify({ n: seen.length, body })));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen };
}

describe('agent fetch', () => {
  it('answers like fetch: status, headers, streamed body, request body and headers sent', async () => {
    const { url } = await start(() => false);
    const net = createAgentFetch();
    const response = await net.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(await response.json()).toEqual({ n: 1, body: '{"x":1}' });
    net.close();
  });

  it('sends credentials in the URL as Basic auth, percent-decoded, and the path with its query', async () => {
    const { url, seen } = await start(() => false);
    const net = createAgentFetch();
    const withUser = url.replace('http://', 'http://ha%20user:p%40ss@');
    await (await net.fetch(`${withUser}?x=1`, { method: 'POST', body: '' })).text();
    expect(seen).toEqual(['POST /mcp?x=1', `authorization: Basic ${Buffer.from('ha user:p@ss').toString('base64')}`]);
    net.close();
  });

  it('retries once when a reused keep-alive socket is reset before any response', async () => {
    const { url, seen } = await start((_n, onSocket) => onSocket === 2);
    const net = createAgentFetch();
    expect(await (await net.fetch(url)).json()).toMatchObject({ n: 1 });
    const second = await net.fetch(url, { method: 'POST', body: 'again' });
    expect(await second.json()).toMatchObject({ n: 3, body: 'again' });
    expect(seen).toHaveLength(3);
    net.close();
  });

  it('never retries a reset on a fresh socket: the error is fetch failed with the cause', async () => {
    const { url, seen } = await start((n) => n === 1);
    const net = createAgentFetch();
    const error = await net.fetch(url, { method: 'POST', body: 'once' }).catch((e: unknown) => e as TypeError & { cause: NodeJS.ErrnoException });
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect((error as { cause: NodeJS.ErrnoException }).cause.code).toBe('ECONNRESET');
    expect(seen).toHaveLength(1);
    net.close();
  });

  it('an aborted signal rejects with its reason', async () => {
    const { url } = await start(() => false);
    const net = createAgentFetch();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(net.fetch(url, { signal: controller.signal })).rejects.toThrow('stop');
    net.close();
  });
});
