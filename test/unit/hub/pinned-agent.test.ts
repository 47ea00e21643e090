import { createServer as createTlsServer, type Server } from 'node:tls';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { createAgentFetch } from '../../../src/hub/upstreams/agent-fetch.js';
import { PinMismatchError, formatPin } from '../../../src/hub/upstreams/pinned-agent.js';

const identity = createEdgeTlsIdentity('edge');
const other = createEdgeTlsIdentity('edge');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A TLS server that answers HTTP 200 and records every decrypted byte it receives. */
async function recordingServer(): Promise<{ url: string; received: () => string; connections: () => number }> {
  const chunks: Buffer[] = [];
  let connections = 0;
  const sockets = new Set<import('node:tls').TLSSocket>();
  const server: Server = createTlsServer({ key: identity.keyPem, cert: identity.certPem }, (socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}');
    });
    socket.on('error', () => {});
  });
  // TCP connections, not completed handshakes: a client that rejects the key never finishes its own.
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, received: () => Buffer.concat(chunks).toString('latin1'), connections: () => connections };
}

describe('pinned agent fetch', () => {
  it('talks to the server holding the pinned key, token included', async () => {
    const server = await recordingServer();
    const net = createAgentFetch(identity.spkiSha256);
    closers.push(async () => net.close());
    const response = await net.fetch(server.url, { method: 'POST', headers: { authorization: 'Bearer lme_secret' }, body: '{}' });
    expect(await response.json()).toEqual({ ok: true });
    expect(server.received()).toContain('Bearer lme_secret');
  });

  it('a wrong pin fails naming the mismatch with both fingerprints, and the server received no application data', async () => {
    const server = await recordingServer();
    const net = createAgentFetch(other.spkiSha256);
    closers.push(async () => net.close());
    const failure = await net.fetch(server.url, { method: 'POST', headers: { authorization: 'Bearer lme_secret' }, body: '{"x":1}' }).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(TypeError);
    const cause = (failure as Error).cause as PinMismatchError;
    expect(cause).toBeInstanceOf(PinMismatchError);
    expect(cause.message).toContain('TLS pin mismatch');
    expect(cause.message).toContain(formatPin(identity.spkiSha256));
    expect(cause.message).toContain(formatPin(other.spkiSha256));
    expect(cause.message).toMatch(/lanmcp apply/);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received()).toBe('');
    expect(server.connections(), 'a mismatch is not retried').toBe(1);
  });

  it('a pinned fetch refuses plain http instead of sending the token unprotected', async () => {
    const net = createAgentFetch(identity.spkiSha256);
    closers.push(async () => net.close());
    const failure = await net.fetch('http://127.0.0.1:9/mcp').catch((e: unknown) => e as Error);
    expect(((failure as Error).cause as Error).message).toMatch(/refusing plain HTTP/);
  });

  it('keeps connections alive across requests', async () => {
    let connections = 0;
    const server = createHttpsServer({ key: identity.keyPem, cert: identity.certPem }, (_req, res) => res.end('{}'));
    server.on('secureConnection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const net = createAgentFetch(identity.spkiSha256);
    closers.push(async () => net.close());
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    for (let i = 0; i < 3; i += 1) await (await net.fetch(url)).text();
    expect(connections).toBe(1);
  });

  it('bounds the handshake with a server that accepts and never speaks TLS, and closes that socket', async () => {
    const { createServer } = await import('node:net');
    let closed = false;
    const server = createServer((socket) => { socket.on('close', () => (closed = true)); socket.on('error', () => {}); socket.resume(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { PinnedAgent } = await import('../../../src/hub/upstreams/pinned-agent.js');
    const { request } = await import('node:https');
    const agent = new PinnedAgent(identity.spkiSha256, { handshakeTimeoutMs: 200 });
    closers.push(async () => agent.destroy());
    const failure = await new Promise<Error>((resolve) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent }, () => resolve(new Error('answered')));
      req.on('error', resolve);
      req.end();
    });
    expect(failure.message).toMatch(/no TLS handshake from 127\.0\.0\.1:\d+ within 200 ms/);
    await expect.poll(() => closed).toBe(true);
  });

  it('a connected socket keeps no handshake timeout: a later socket timeout is not reported as a handshake failure', async () => {
    const server = createHttpsServer({ key: identity.keyPem, cert: identity.certPem }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const { PinnedAgent } = await import('../../../src/hub/upstreams/pinned-agent.js');
    const { request } = await import('node:https');
    const agent = new PinnedAgent(identity.spkiSha256, { handshakeTimeoutMs: 200, keepAlive: true });
    closers.push(async () => agent.destroy());
    const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent, path: '/healthz' }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket!));
      });
      req.on('error', reject);
      req.end();
    });
    // An idle keep-alive socket may time out (http's own listener then closes it quietly), never with our error.
    const errors: Error[] = [];
    socket.on('error', (error: Error) => errors.push(error));
    socket.setTimeout(50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('formats pins like ssh fingerprints', () => {
    expect(formatPin('00'.repeat(32))).toBe('SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  });
});
