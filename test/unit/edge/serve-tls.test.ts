import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEdge } from '../../../src/edge/serve.js';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { freePort } from '../../support/ports.js';
import { testConfig } from './test-config.js';

// startEdge refuses unusable TLS files before it listens, naming them (OpenSSL's own messages name no file).
const dir = mkdtempSync(join(tmpdir(), 'lanmcp-edge-tls-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const one = createEdgeTlsIdentity('kitchen-pi');
const two = createEdgeTlsIdentity('kitchen-pi');
// A free port: had a bad file slipped through, the edge would listen (and be caught by the expectations).
const port = await freePort();

function config(key: string, cert: string) {
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  return testConfig({}, { listen: { host: '127.0.0.1', port }, tls: { key_file: join(dir, 'key.pem'), cert_file: join(dir, 'cert.pem') } });
}

describe('the edge with unusable TLS files', () => {
  it('a key of another certificate: E_EDGE_CONFIG naming both files', async () => {
    await expect(startEdge(config(one.keyPem, two.certPem), [])).rejects.toMatchObject({
      code: 'E_EDGE_CONFIG',
      message: expect.stringMatching(new RegExp(`TLS key ${join(dir, 'key.pem')} and certificate ${join(dir, 'cert.pem')} cannot be used: .*mismatch`)),
    });
  });

  it('a file that is not PEM: E_EDGE_CONFIG naming both files', async () => {
    await expect(startEdge(config('not a key\n', one.certPem), [])).rejects.toMatchObject({ code: 'E_EDGE_CONFIG', message: expect.stringContaining('cannot be used') });
  });

  it('a missing file: E_EDGE_CONFIG naming it', async () => {
    const missing = testConfig({}, { listen: { host: '127.0.0.1', port }, tls: { key_file: join(dir, 'nope.pem'), cert_file: join(dir, 'cert.pem') } });
    await expect(startEdge(missing, [])).rejects.toMatchObject({ code: 'E_EDGE_CONFIG', message: expect.stringContaining(join(dir, 'nope.pem')) });
  });
});
