import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { createEdgeLink, prepareHeaders, type EdgeLink, type ExchangeHandlers } from '../../../src/hub/upstreams/edge-link.js';
import { leanCallTool } from '../../../src/hub/upstreams/lean-call.js';
import { PinMismatchError } from '../../../src/hub/upstreams/pinned-agent.js';

// The hub's own HTTP/1.1 client against real node:http(s) servers: what reaches the server, connection
// reuse, the reset retry, and every way an exchange can fail.
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, socketRequest: number) => void;

async function serve(handler: Handler, tls?: ReturnType<typeof createEdgeTlsIdentity>, keepAliveTimeoutMs?: number) {
  const perSocket = new WeakMap<Socket, number>();
  const requests: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  let connections = 0;
  let closed = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body, n);
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, onRequest) : createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    socket.on('close', () => (closed += 1));
  });
  if (keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = new URL(`${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/mcp?x=1`);
  return { url, requests, connections: () => connections, closed: () => closed };
}

function link(url: URL, pin?: string): EdgeLink {
  const made = createEdgeLink({ url, pin });
  closers.push(() => made.close());
  return made;
}

interface Outcome { status?: number; type?: string; body: string; error?: Error }

/** One exchange, as a promise of what its handlers heard. */
function post(edge: EdgeLink, body: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: '' };
    const handlers: ExchangeHandlers = {
      head: (status, fields) => Object.assign(out, { status, type: fields.get('content-type') }),
      data: (text) => { out.body += text; },
      end: () => resolve(out),
      error: (error) => resolve({ ...out, error }),
    };
    edge.exchange(prepareHeaders(headers), body, handlers);
  });
}

const json = (res: ServerResponse, value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));

describe('edge link (the hub\'s HTTP/1.1 client for its edges)', () => {
  it('sends one POST with the path, query, host, headers and body; reads JSON and chunked SSE answers', async () => {
    const server = await serve((req, res, body) => {
      if (body === 'sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: message\ndata: {"n":1}\n\n');
        return void setTimeout(() => res.end('data: {"é":2}\n\n'), 10);
      }
      json(res, { body });
    });
    const edge = link(server.url);
    expect(await post(edge, '{"x":"ü"}', { authorization: 'Bearer lme_x', 'content-type': 'application/json' })).toEqual({ status: 200, type: 'application/json', body: '{"body":"{\\"x\\":\\"ü\\"}"}' });
    expect(await post(edge, 'sse')).toEqual({ status: 200, type: 'text/event-stream', body: 'event: message\ndata: {"n":1}\n\ndata: {"é":2}\n\n' });
    expect(server.requests[0]).toMatchObject({
      method: 'POST', url: '/mcp?x=1', body: '{"x":"ü"}',
      headers: { host: server.url.host, authorization: 'Bearer lme_x', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength('{"x":"ü"}')) },
    });
    // Both exchanges on one keep-alive connection.
    expect(server.connections()).toBe(1);
  });

  it('parallel exchanges open their own connections, which are then reused', async () => {
    const server = await serve((_req, res, body) => setTimeout(() => json(res, { body }), 20));
    const edge = link(server.url);
    const first = await Promise.all(['a', 'b', 'c'].map((b) => post(edge, b)));
    expect(first.map((o) => o.body)).toEqual(['{"body":"a"}', '{"body":"b"}', '{"body":"c"}']);
    await Promise.all(['d', 'e', 'f'].map((b) => post(edge, b)));
    expect(server.connections()).toBe(3);
  });

  it('an answer with Connection: close, or an idle connection the edge closed, is not used again', async () => {
    const server = await serve((_req, res, body) => res.writeHead(200, { 'content-type': 'application/json', ...(body === 'last' ? { connection: 'close' } : {}) }).end('{}'));
    const edge = link(server.url);
    expect((await post(edge, 'last')).error).toBeUndefined();
    expect((await post(edge, 'next')).error).toBeUndefined();
    expect(server.connections()).toBe(2);
    // What an edge's keepAliveTimeout does to an idle connection: it closes it from its side, cleanly.
    const idle = await serve((_req, res) => json(res, {}), undefined, 50);
    const idleEdge = link(idle.url);
    await post(idleEdge, 'a');
    await expect.poll(() => idle.closed(), { timeout: 5000 }).toBe(1);
    expect((await post(idleEdge, 'b')).error).toBeUndefined();
    expect([idle.connections(), idle.requests.length]).toEqual([2, 2]);
  });

  it('a reused connection the edge reset before answering: the request is sent once more on a new one', async () => {
    const server = await serve((req, res, body, onSocket) => (onSocket === 2 ? req.socket.resetAndDestroy() : json(res, { body })));
    const edge = link(server.url);
    expect((await post(edge, 'one')).body).toBe('{"body":"one"}');
    expect((await post(edge, 'two')).body).toBe('{"body":"two"}');
    expect(server.requests.map((r) => r.body)).toEqual(['one', 'two', 'two']);
    expect(server.connections()).toBe(2);
  });

  it('a reset on a fresh connection, or after an answer began, is an error and is never retried', async () => {
    const fresh = await serve((req) => req.socket.resetAndDestroy());
    const outcome = await post(link(fresh.url), 'once');
    expect((outcome.error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(fresh.requests).toHaveLength(1);

    const cut = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message\n');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const edge = link(cut.url);
    const midway = await post(edge, 'x');
    expect(midway).toMatchObject({ status: 200, body: 'event: message\n' });
    expect(midway.error?.message).toMatch(/closed the connection|ECONNRESET/);
    expect(cut.requests).toHaveLength(1);
  });

  it('a connection refused names the address; a malformed answer is an error and its connection is dropped', async () => {
    const server = await serve(() => {});
    const port = server.url.port;
    await closers.pop()!();
    const refused = await post(link(new URL(`http://127.0.0.1:${port}/mcp`)), 'x');
    expect(refused.error?.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);

    let dropped = false;
    const liar = await serve((req, res) => {
      req.socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n');
      req.socket.on('close', () => (dropped = true));
      res.on('error', () => {});
    });
    const edge = link(liar.url);
    expect((await post(edge, 'x')).error?.message).toMatch(/malformed HTTP response from the edge: bad chunk-size line/);
    await expect.poll(() => dropped).toBe(true);
  });

  it('refuses a header holding a line break before sending anything', async () => {
    expect(() => prepareHeaders({ 'x-a': 'ok', 'x-b\n': 'v' })).toThrow('refusing to send header "x-b\\n": it holds a line break or NUL');
    const server = await serve((_req, res) => json(res, {}));
    const target = { headers: { authorization: 'Bearer a\r\nx-injected: 1' }, protocolVersion: '2025-11-25', link: link(server.url) };
    await expect(leanCallTool(target, { id: 'h1-1', tool: 'system_info', args: {}, timeoutMs: 5000 })).rejects.toThrow(/refusing to send header "authorization"/);
    expect(server.requests).toHaveLength(0);
    expect(prepareHeaders({ Accept: 'a', 'X-N': 'b' }).text).toBe('accept: a\r\nx-n: b\r\n');
  });

  it('destroy() closes the exchange\'s connection and its handlers hear nothing more', async () => {
    let closed = false;
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': working\n\n');
      req.socket.on('close', () => (closed = true));
    });
    const edge = link(server.url);
    const heard: string[] = [];
    let exchange: { destroy(): void } | undefined;
    await new Promise<void>((resolve) => {
      exchange = edge.exchange(prepareHeaders({}), 'x', {
        head: () => heard.push('head'),
        data: (text) => { heard.push(text); resolve(); },
        end: () => heard.push('end'),
        error: (e) => heard.push(`error ${e.message}`),
      });
    });
    exchange!.destroy();
    await expect.poll(() => closed).toBe(true);
    expect(heard).toEqual(['head', ': working\n\n']);
  });

  it('giving up a call, or closing the link, while a TLS handshake is still pending closes that connection', async () => {
    const identity = createEdgeTlsIdentity('edge');
    // A peer that accepts TCP and never answers the TLS hello: the handshake stays pending.
    const peers: Socket[] = [];
    let closedPeers = 0;
    const silent = createNetServer((socket) => {
      peers.push(socket);
      socket.on('error', () => {}).on('close', () => (closedPeers += 1)).resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => { for (const p of peers) p.destroy(); silent.close(() => resolve()); }));
    const url = new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`);
    const edge = link(url, identity.spkiSha256);
    const heard: string[] = [];
    const handlers: ExchangeHandlers = { head: () => heard.push('head'), data: () => heard.push('data'), end: () => heard.push('end'), error: (e) => heard.push(e.message) };
    const first = edge.exchange(prepareHeaders({}), 'x', handlers);
    await expect.poll(() => peers.length).toBe(1);
    first.destroy();
    await expect.poll(() => closedPeers).toBe(1);
    edge.exchange(prepareHeaders({}), 'y', handlers);
    await expect.poll(() => peers.length).toBe(2);
    edge.close();
    await expect.poll(() => closedPeers).toBe(2);
    // The given-up call hears nothing; the one the close ended hears why.
    await expect.poll(() => heard).toEqual(['the hub is closing its connections to this edge']);
    const after = await post(edge, 'z');
    expect(after.error?.message).toBe('the hub is closing its connections to this edge');
    expect(peers).toHaveLength(2);
  });

  it('over TLS speaks only to the pinned key: another key gets a PinMismatchError and not one byte', async () => {
    const identity = createEdgeTlsIdentity('edge');
    const impostor = createEdgeTlsIdentity('edge');
    const server = await serve((_req, res, body) => json(res, { body }), identity);
    expect((await post(link(server.url, identity.spkiSha256), 'secret')).body).toBe('{"body":"secret"}');
    const refused = await post(link(server.url, impostor.spkiSha256), 'secret');
    expect(refused.error).toBeInstanceOf(PinMismatchError);
    expect(server.requests).toHaveLength(1);
  });
});
