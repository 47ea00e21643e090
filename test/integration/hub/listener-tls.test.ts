import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHubTls } from '../../../src/hub/listener-tls.js';
import { loadHubOptions, startHub, type RunningHub } from '../../../src/hub/start.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN } from './hub-helpers.js';

// hub.tls: the hub serves HTTPS with the inventory's certificate. A real SDK client that trusts the
// certificate (NODE_EXTRA_CA_CERTS, as a user would set it) lists tools and calls one; plain HTTP to the
// same port gets nothing; bad files are errors naming the file. Certificates are made here with openssl.
const root = new URL('../../..', import.meta.url).pathname;
let dir: string;
let edge: FakeEdge;

function makeCert(name: string, subjectAltName = 'DNS:localhost,IP:127.0.0.1'): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', `subjectAltName=${subjectAltName}`, '-keyout', key, '-out', cert], { stdio: 'pipe' });
  return { cert, key };
}

function writeInventory(tls: string): string {
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, ['version: 1', `hub: { tls: ${tls} }`, 'hosts:',
    `  pi: { address: 127.0.0.1, edge: { port: ${edge.port}, tls: false } }`, ''].join('\n'));
  return file;
}

beforeAll(async () => {
  if (spawnSync('openssl', ['version']).status !== 0) throw new Error('openssl is missing: apt-get install -y openssl');
  dir = mkdtempSync(join(tmpdir(), 'lanmcp-hub-tls-'));
  edge = await startFakeEdge('pi', EDGE_TOKEN);
  mkdirSync(join(dir, '.lanmcp', 'tokens'), { recursive: true });
  writeFileSync(join(dir, '.lanmcp', 'tokens', 'pi.token'), `${EDGE_TOKEN}\n`);
  makeCert('hub');
  makeCert('other');
});

afterAll(async () => {
  await edge?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An SDK client in its own Node process (async: the hub runs in this one), trusting `ca` the way a user would (NODE_EXTRA_CA_CERTS). */
function sdkClient(url: string, token: string, ca: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = `
    import { Client } from '@modelcontextprotocol/sdk/client/index.js';
    import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
    const client = new Client({ name: 'tls-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(process.env.HUB_URL), { requestInit: { headers: { authorization: 'Bearer ' + process.env.HUB_TOKEN } } }));
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const call = await client.callTool({ name: 'run_command', arguments: { host: 'pi', command: 'uptime' } });
    await client.close();
    process.stdout.write(JSON.stringify({ tools, text: call.content[0].text }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root, timeout: 30_000, env: { ...process.env, HUB_URL: url, HUB_TOKEN: token, NODE_EXTRA_CA_CERTS: ca },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

describe('hub.tls: HTTPS on the hub listener', () => {
  let hub: RunningHub | undefined;
  afterAll(async () => { await hub?.close(); });

  it('serves MCP over HTTPS to a client that trusts the certificate; plain HTTP to that port gets no answer', async () => {
    const { options } = await loadHubOptions(writeInventory('{ cert_file: hub.crt, key_file: hub.key }'), {}, { cwd: dir, listen: { host: '127.0.0.1', port: 0 } });
    const token = createClientTokenStore(join(dir, '.lanmcp')).create('laptop');
    hub = await startHub(options);
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const trusted = await sdkClient(hub.url, token, join(dir, 'hub.crt'));
    expect(trusted.status, trusted.stderr).toBe(0);
    const answer = JSON.parse(trusted.stdout) as { tools: string[]; text: string };
    expect(answer.tools).toEqual(expect.arrayContaining(['network_resources', 'run_command', 'run_on_many']));
    expect(answer.text).toContain('pi: uptime');
    expect(edge.calls.at(-1)?.args).toEqual({ command: 'uptime' });

    // The same client trusting another certificate refuses the hub's.
    const untrusted = await sdkClient(hub.url, token, join(dir, 'other.crt'));
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toMatch(/self[- ]signed|unable to verify|certificate/i);

    // Signing in to the status page over this listener gives a Secure cookie.
    const cookie = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(hub!.url.replace(/\/mcp$/, '/login'), { method: 'POST', ca: readFileSync(join(dir, 'hub.crt')), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        resolve(`${res.statusCode} ${String(res.headers['set-cookie'])}`);
      });
      req.on('error', reject);
      req.end(`token=${token}`);
    });
    expect(cookie).toMatch(/^303 lanmcp_session=.*; Secure/);

    const plain = hub.url.replace(/^https:/, 'http:').replace(/\/mcp$/, '/healthz');
    await expect(fetch(plain, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
  });

  it('bad files are errors that name the file: missing, not PEM, swapped, key of another certificate', async () => {
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    const load = (tls: string) => loadHubOptions(writeInventory(tls), {}, { cwd: dir });
    await expect(load('{ cert_file: missing.crt, key_file: hub.key }')).rejects.toThrow(/hub\.tls\.cert_file .*missing\.crt does not exist/);
    await expect(load('{ cert_file: junk.pem, key_file: hub.key }')).rejects.toThrow(/junk\.pem is not a PEM certificate/);
    await expect(load('{ cert_file: hub.crt, key_file: hub.crt }')).rejects.toThrow(/hub\.crt holds a certificate, not a private key/);
    await expect(load('{ cert_file: hub.crt, key_file: other.key }')).rejects.toMatchObject({ code: 'E_HUB_LISTEN', message: expect.stringMatching(/other\.key does not belong to the certificate in .*hub\.crt/) });
  });

  it('checkHubTls takes PEM text as is (the shape a provisioned hub receives)', () => {
    const pem = (file: string) => readFileSync(join(dir, file), 'utf8');
    expect(() => checkHubTls({ cert: pem('hub.crt'), key: pem('hub.key') })).not.toThrow();
    expect(() => checkHubTls({ cert: pem('hub.crt'), key: pem('other.key') })).toThrow(/does not belong/);
    const cut = pem('hub.crt').slice(0, 120);
    expect(() => checkHubTls({ cert: cut, key: pem('hub.key') })).toThrow(/cannot be read as an X\.509 certificate/);
  });
});
