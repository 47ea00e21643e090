import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentFetch } from '../../../src/hub/upstreams/agent-fetch.js';
import { spkiSha256 } from '../../../src/edge/tls-cert.js';
import { TEST_TOKEN, TEST_TOKEN_SHA256 } from '../../unit/edge/test-config.js';
import { buildEdgeBundle, freePort } from './bundle-helpers.js';
import { MCP_HEADERS, rpc } from './http-helpers.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  ({ dir, bundle } = await buildEdgeBundle());
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the edge bundle with TLS', () => {
  it('tls-keygen writes key.pem 0600 and cert.pem and prints only the pin of the key it wrote', async () => {
    const tls = join(dir, 'keygen');
    const result = await run(['tls-keygen', tls, 'bundle-test']);
    expect(result.code, result.stderr).toBe(0);
    const { spki_sha256 } = JSON.parse(result.stdout) as { spki_sha256: string };
    expect(result.stdout).toBe(`${JSON.stringify({ spki_sha256 })}\n`);
    expect(statSync(join(tls, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(spkiSha256(new X509Certificate(readFileSync(join(tls, 'cert.pem'))).publicKey)).toBe(spki_sha256);
    expect((await run(['tls-keygen', tls])).stderr).toBe('lanmcp-edge: error: usage: node edge.mjs tls-keygen DIR DEVICE-NAME [--gid N]\n');
  });

  it('serves MCP and /healthz over HTTPS to a client pinned to its key, and nothing over plain HTTP', async () => {
    const tls = join(dir, 'serve');
    const { spki_sha256: pin } = JSON.parse((await run(['tls-keygen', tls, 'bundle-test'])).stdout) as { spki_sha256: string };
    const port = await freePort();
    const config = join(dir, 'tls-config.json');
    writeFileSync(config, JSON.stringify({
      name: 'bundle-test', listen: { host: '127.0.0.1', port }, token_sha256: TEST_TOKEN_SHA256, policy: {},
      tls: { cert_file: join(tls, 'cert.pem'), key_file: join(tls, 'key.pem') },
    }), { mode: 0o600 });
    const child = spawn(process.execPath, [bundle, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const net = createAgentFetch(pin);
    try {
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await net.fetch(`https://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 50));
      }
      expect(await health!.json()).toMatchObject({ ok: true, version: '0.0.0-bundle-test' });
      const init = await net.fetch(`https://127.0.0.1:${port}/mcp`, {
        method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${TEST_TOKEN}` },
        body: rpc(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }),
      });
      expect(init.status).toBe(200);
      expect(await init.text()).toContain('"serverInfo"');
      const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, (e: Error) => e.message);
      expect(plain).not.toBe(200);
    } finally {
      net.close();
      child.kill('SIGKILL');
    }
  });
});
