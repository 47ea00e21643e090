import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { verifyHub } from '../../../src/hubhost/verify-hub.js';

// hub.tls: the hub's certificate may be self-signed, so apply's check trusts exactly the certificate it
// installed. A real local HTTPS server plays the restarted hub.
const installed = createEdgeTlsIdentity('gw');
const other = createEdgeTlsIdentity('gw');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer({ cert: installed.certPem, key: installed.keyPem }, (_request, response) => response.end(JSON.stringify({ ok: true, version: '0.1.0' })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('verifyHub over HTTPS', () => {
  it('passes when the hub presents the installed certificate and this version, every time (no resumed session hides it)', async () => {
    for (let i = 0; i < 3; i++) await expect(verifyHub({ host: 'gw', base, version: '0.1.0', cert: installed.certPem, timeoutMs: 3000 })).resolves.toMatchObject({ version: '0.1.0' });
  });

  it('fails, saying why, for another certificate or another version', async () => {
    await expect(verifyHub({ host: 'gw', base, version: '0.1.0', cert: other.certPem, timeoutMs: 500 })).rejects.toThrow(/last: the hub presented a different TLS certificate than hub\.tls\.cert_file/);
    await expect(verifyHub({ host: 'gw', base, version: '9.9.9', cert: installed.certPem, timeoutMs: 500 })).rejects.toThrow(/last: HTTP 200, version 0\.1\.0\)$/);
  });
});
