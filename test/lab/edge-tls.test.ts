// Edge TLS on real devices (issue 7): apply generates each edge's key on the device and pins it over SSH;
// a capture on the lab bridge shows TLS and no token or output for pinned edges (and, as the control that
// proves the capture sees payloads, the token of the one `tls: false` edge in clear); an edge whose key is
// replaced is refused by the hub naming the pin mismatch until `apply` re-pins it; --rotate-tokens renews both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubOptions, startHub, type RunningHub } from '../../src/hub/start.js';
import { createAgentFetch } from '../../src/hub/upstreams/agent-fetch.js';
import { PinMismatchError } from '../../src/hub/upstreams/pinned-agent.js';
import { bridgeName } from '../../src/lab/addressing.js';
import { formatPin } from '../../src/shared/tls-pin.js';
import { createClientTokenStore } from '../../src/secrets/client-tokens.js';
import { connectClient, textOf } from '../integration/hub/hub-helpers.js';
import { deviceExec, freshDevice, getLab, labDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

const PINNED = ['lab1', 'lab2'];
const PLAIN = 'lab3';
let inventory: string;
let stateDir: string;
let applyStderr: string;
const capture = mkdtempSync(join(tmpdir(), 'lanmcp-tls-capture-'));

const secretOf = (device: string, kind: 'token' | 'pin') => readFileSync(join(stateDir, 'tokens', `${device}.${kind}`), 'utf8').trim();

/** A hub on loopback with the credentials .lanmcp/ holds now, and an MCP client connected to it. */
async function openHub(): Promise<{ hub: RunningHub; client: Client; close(): Promise<void> }> {
  const token = createClientTokenStore(stateDir).create(`tls-${Date.now()}`);
  const loaded = await loadHubOptions(inventory, {}, { listen: { host: '127.0.0.1', port: 0 } });
  const hub = await startHub({ ...loaded.options, timing: { healthIntervalMs: 2000 } });
  const client = await connectClient(hub.url, token);
  return { hub, client, close: async () => { await client.close(); await hub.close(); } };
}

const run = (client: Client, host: string, command: string) => client.callTool({ name: 'run_command', arguments: { host, command } });

/** tcpdump on the lab bridge, edge port only, handed over and written packet by packet; resolves once it listens. */
async function startCapture(file: string): Promise<ChildProcess> {
  const found = spawnSync('sh', ['-c', 'command -v tcpdump'], { encoding: 'utf8' });
  expect(found.status, 'tcpdump is missing: install it with `apt-get install tcpdump` (scripts/install-deps.sh does)').toBe(0);
  const child = spawn('tcpdump', ['-i', bridgeName(getLab().name), '--immediate-mode', '-U', '-s', '0', '-w', file, 'tcp', 'port', '8766'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/listening on/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${stderr}`)));
  });
  return child;
}

/** Stops tcpdump once its file stopped growing: on SIGINT it drops packets it has not read yet. */
async function stopCapture(child: ChildProcess, file: string): Promise<void> {
  if (child.exitCode !== null) return;
  const size = () => { try { return statSync(file).size; } catch { return 0; } };
  for (let last = -1; last !== size();) {
    last = size();
    await new Promise((r) => setTimeout(r, 1000));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

beforeAll(async () => {
  await Promise.all([...PINNED, PLAIN].map(freshDevice));
  inventory = writeLabInventory([...PINNED.map((name) => ({ name })), { name: PLAIN, extra: 'edge: { tls: false }' }]);
  stateDir = join(dirname(inventory), '.lanmcp');
  const applied = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
  expect(applied.code, applied.stderr).toBe(0);
  applyStderr = applied.stderr;
});

afterAll(() => process.env.KEEP_CAPTURE ? undefined : rmSync(capture, { recursive: true, force: true }));

describe('edge TLS with a pin read over SSH', () => {
  it('apply pins every TLS edge; the plain-HTTP edge is warned about and has no pin', () => {
    for (const device of PINNED) expect(secretOf(device, 'pin')).toMatch(/^[0-9a-f]{64}$/);
    expect(() => secretOf(PLAIN, 'pin')).toThrow(/ENOENT/);
    expect(applyStderr).toMatch(/inventory\.yaml:\d+:\d+: warning rule\/plain-http: edge tls: false: plain HTTP/);
  });

  it('a capture of hub-edge traffic on the lab bridge holds TLS handshakes and no token, header or output of a pinned edge', async () => {
    const file = join(capture, 'hub-edges.pcap');
    const tcpdump = await startCapture(file);
    const outputs: string[] = [];
    try {
      const { client, close } = await openHub();
      try {
        for (const host of [...PINNED, PLAIN]) {
          const result = await run(client, host, 'echo tlsmark$((1234*5678))');
          expect(result.isError, textOf(result)).toBeFalsy();
          outputs.push((result.structuredContent as { stdout: string }).stdout.trim());
        }
      } finally {
        await close();
      }
    } finally {
      await stopCapture(tcpdump, file);
    }
    expect(outputs).toEqual(['tlsmark7006652', 'tlsmark7006652', 'tlsmark7006652']);
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    // The control: the plain-HTTP edge's request and answer are readable, so the capture does see payloads.
    expect(text).toContain(`authorization: Bearer ${secretOf(PLAIN, 'token')}`);
    for (const device of PINNED) expect(text, `${device}'s token crossed the bridge in clear`).not.toContain(secretOf(device, 'token'));
    // TLS records: handshake (0x16) and application data (0x17) with version 0x03 0x03.
    expect(bytes.includes(Buffer.from([0x16, 0x03, 0x01]))).toBe(true);
    expect(bytes.includes(Buffer.from([0x17, 0x03, 0x03]))).toBe(true);
    const tlsOnly = readPlainPackets(file, PINNED.map((d) => labDevice(d).address));
    expect(tlsOnly.payloadBytes, 'payload to and from the pinned edges was captured').toBeGreaterThan(1000);
    expect(tlsOnly.text).not.toMatch(/authorization|tlsmark|bearer|lme_/i);
  });

  it('an edge whose key is replaced on the device is refused naming the pin mismatch, until apply re-pins it', async () => {
    const oldPin = secretOf('lab2', 'pin');
    const keygen = await deviceExec('lab2', 'node /opt/lanmcp-edge/edge.mjs tls-keygen /etc/lanmcp-edge/tls lab2 && systemctl restart lanmcp-edge');
    expect(keygen.code, keygen.stderr).toBe(0);
    const newPin = (JSON.parse(keygen.stdout) as { spki_sha256: string }).spki_sha256;
    const { client, close } = await openHub();
    try {
      // The restarted edge may still be starting (connection refused): wait for the hub to meet its new key.
      let refused = await run(client, 'lab2', 'echo should-not-run');
      await expect.poll(async () => textOf((refused = await run(client, 'lab2', 'echo should-not-run'))), { timeout: 30_000, interval: 500 }).toContain('TLS pin mismatch');
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('TLS pin mismatch');
      expect(textOf(refused)).toContain(formatPin(newPin));
      expect(textOf(refused)).toContain(formatPin(oldPin));
      const devices = ((await client.callTool({ name: 'network_resources', arguments: {} })).structuredContent as { devices: { name: string; status: string; error?: string }[] }).devices;
      expect(devices.find((d) => d.name === 'lab2')).toMatchObject({ status: 'down', error: expect.stringContaining('TLS pin mismatch') });
      expect(devices.find((d) => d.name === 'lab1')).toMatchObject({ status: 'up' });
      expect((await run(client, 'lab1', 'true')).isError).toBeFalsy();
    } finally {
      await close();
    }
    // Without a hub too: status (straight to the devices) and exec name the mismatch.
    const status = await lanmcp('status', '-i', inventory, '--json', '--limit', 'lab1,lab2');
    const rows = status.stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; status: string; error?: string });
    expect(rows.find((r) => r.name === 'lab2')).toMatchObject({ status: 'down', error: expect.stringContaining('TLS pin mismatch') });
    expect(rows.find((r) => r.name === 'lab1')).toMatchObject({ status: 'up' });
    const exec = await lanmcp('exec', 'lab2', '-i', inventory, '--', 'true');
    expect(exec.code).not.toBe(0);
    expect(exec.stdout + exec.stderr).toContain(`the edge presented ${formatPin(newPin)}`);
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain(`~ TLS key of lab2: the device's key changed: it presents ${formatPin(newPin)}, .lanmcp/ pins ${formatPin(oldPin)}`);
    const applied = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(applied.code, applied.stderr).toBe(0);
    expect(secretOf('lab2', 'pin')).toBe(newPin);
    const again = await openHub();
    try {
      const ok = await run(again.client, 'lab2', 'echo works-again');
      expect(ok.isError, textOf(ok)).toBeFalsy();
    } finally {
      await again.close();
    }
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });

  it('tls: false still works: the edge answers plain HTTP and the hub runs commands on it', async () => {
    const health = await fetch(`http://${labDevice(PLAIN).address}:8766/healthz`);
    expect(health.ok).toBe(true);
    const { client, close } = await openHub();
    try {
      const result = await run(client, PLAIN, 'echo plain');
      expect((result.structuredContent as { stdout: string }).stdout.trim()).toBe('plain');
    } finally {
      await close();
    }
  });

  it('--rotate-tokens NAME renews the key with the token: new pin and token, the old pin is refused', async () => {
    const [oldPin, oldToken] = [secretOf('lab1', 'pin'), secretOf('lab1', 'token')];
    const rotated = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--rotate-tokens', 'lab1');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toContain(`~ TLS key of lab1: rotated with the token: a new key is generated on the device; the pin ${formatPin(oldPin)} stops working`);
    const [newPin, newToken] = [secretOf('lab1', 'pin'), secretOf('lab1', 'token')];
    expect(newPin).not.toBe(oldPin);
    expect(newToken).not.toBe(oldToken);
    const url = `https://${labDevice('lab1').address}:8766/healthz`;
    const old = createAgentFetch(oldPin);
    const current = createAgentFetch(newPin);
    try {
      const failure = await old.fetch(url).then(() => undefined, (e: Error) => e.cause);
      expect(failure).toBeInstanceOf(PinMismatchError);
      expect((await current.fetch(url)).ok).toBe(true);
      const init = (token: string) => current.fetch(url.replace('/healthz', '/mcp'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
      }).then(async (r) => { await r.body?.cancel(); return r.status; });
      expect(await init(oldToken)).toBe(401);
      expect(await init(newToken)).toBe(200);
    } finally {
      old.close();
      current.close();
    }
  });
});

/** TCP payload bytes of packets to or from `addresses` in a pcap file (classic format, Ethernet, IPv4). */
function readPlainPackets(file: string, addresses: string[]): { payloadBytes: number; text: string } {
  const data = readFileSync(file);
  const little = data.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (at: number) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const wanted = new Set(addresses);
  const payloads: Buffer[] = [];
  for (let at = 24; at + 16 <= data.length;) {
    const length = u32(at + 8);
    const frame = data.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    if (frame.length < 34 || frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    const headerLength = (ip[0]! & 0x0f) * 4;
    const src = [...ip.subarray(12, 16)].join('.');
    const dst = [...ip.subarray(16, 20)].join('.');
    if (!wanted.has(src) && !wanted.has(dst)) continue;
    const tcp = ip.subarray(headerLength, ip.readUInt16BE(2));
    payloads.push(tcp.subarray((tcp[12]! >> 4) * 4));
  }
  const all = Buffer.concat(payloads);
  return { payloadBytes: all.length, text: all.toString('latin1') };
}
