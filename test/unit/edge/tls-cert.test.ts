import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEdgeTlsIdentity, spkiSha256 } from '../../../src/edge/tls-cert.js';
import { writeEdgeTlsIdentity } from '../../../src/edge/tls-keygen.js';

describe('edge TLS identity (hand-written X.509)', () => {
  it('is a certificate Node parses, self-signed by the key it carries, for the device name, valid 20 years', () => {
    const now = new Date('2026-11-26T03:00:00Z');
    const identity = createEdgeTlsIdentity('kitchen-pi', now);
    const cert = new X509Certificate(identity.certPem);
    expect(cert.subject).toBe('CN=kitchen-pi');
    expect(cert.issuer).toBe('CN=kitchen-pi');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(identity.keyPem))).toBe(true);
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-11-26T03:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2046-11-26T03:00:00.000Z');
    expect(spkiSha256(cert.publicKey)).toBe(identity.spkiSha256);
    expect(identity.spkiSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('writes GeneralizedTime past 2049 and a different key every time', () => {
    const a = createEdgeTlsIdentity('a', new Date('2040-01-01T00:00:00Z'));
    expect(new Date(new X509Certificate(a.certPem).validTo).toISOString()).toBe('2060-01-01T00:00:00.000Z');
    const b = createEdgeTlsIdentity('a');
    expect(b.spkiSha256).not.toBe(a.spkiSha256);
    expect(spkiSha256(createPublicKey(b.keyPem))).toBe(b.spkiSha256);
  });

  it('a node:https server serves with it and the client sees the same public key', async () => {
    const identity = createEdgeTlsIdentity('kitchen-pi');
    const server = createServer({ key: identity.keyPem, cert: identity.certPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { body, pin } = await new Promise<{ body: string; pin: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false, agent: false }, (res) => {
          const pin = spkiSha256((res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!.publicKey);
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ body, pin }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
      expect(pin).toBe(identity.spkiSha256);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('tls-keygen writes key.pem 0600 and cert.pem 0644 atomically and returns the pin of the written key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lanmcp-tls-'));
    try {
      const { spki_sha256 } = await writeEdgeTlsIdentity({ dir: join(dir, 'tls'), name: 'lab1' });
      expect((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'tls', 'cert.pem'))).mode & 0o777).toBe(0o644);
      const cert = new X509Certificate(await readFile(join(dir, 'tls', 'cert.pem')));
      expect(spkiSha256(cert.publicKey)).toBe(spki_sha256);
      expect(spkiSha256(createPublicKey(await readFile(join(dir, 'tls', 'key.pem'), 'utf8')))).toBe(spki_sha256);
      if (process.getuid?.() === 0) {
        await writeEdgeTlsIdentity({ dir: join(dir, 'tls'), name: 'lab1', gid: 4 });
        const key = await stat(join(dir, 'tls', 'key.pem'));
        expect([key.mode & 0o777, key.uid, key.gid]).toEqual([0o640, 0, 4]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
