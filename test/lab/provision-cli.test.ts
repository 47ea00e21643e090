import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { lanmcp, pinnedEdge, writeLabInventory } from './provision-helpers.js';

const tokenFile = (inventory: string, device: string) => join(dirname(inventory), '.lanmcp', 'tokens', `${device}.token`);

/** An MCP initialize straight to the edge (over TLS, pinned like the hub): 200 with a valid token, 401 otherwise. */
async function initializeStatus(inventory: string, device: string, token: string): Promise<number> {
  const edge = pinnedEdge(inventory, device);
  try {
    const response = await edge.fetch(`${edge.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    await response.body?.cancel();
    return response.status;
  } finally {
    edge.close();
  }
}

describe('apply: confirmation, --json, token rotation', () => {
  let inventory: string;

  beforeAll(async () => {
    await freshDevice('lab4');
    inventory = writeLabInventory([{ name: 'lab4' }]);
  });

  it('refuses to prompt without a terminal and changes nothing', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--no-hub');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_CONFIRM_REQUIRED: refusing to prompt for confirmation without a terminal');
    expect((await deviceExec('lab4', 'ls /opt/lanmcp-edge 2>&1')).code).not.toBe(0);
    expect(existsSync(tokenFile(inventory, 'lab4'))).toBe(false);
  });

  it('--json prints the plan and per-device results; the token is 0600 and only its hash is on the device', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--json');
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout) as { plan: { summary: Record<string, number> }; results: { device: string; status: string; verify?: { version: string; tools: string[] } }[] };
    expect(data.plan.summary.provision).toBe(1);
    expect(data.results).toEqual([expect.objectContaining({ device: 'lab4', status: 'changed', verify: expect.objectContaining({ tools: expect.arrayContaining(['run_command', 'system_info']) }) })]);
    const token = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    expect((await import('node:fs')).statSync(tokenFile(inventory, 'lab4')).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toContain(token);
    expect((await deviceExec('lab4', `grep -rF '${token}' /etc /opt /var/lib/lanmcp-edge; true`)).stdout).toBe('');
    expect(await initializeStatus(inventory, 'lab4', token)).toBe(200);
  });

  it('--rotate-tokens issues a new token: the old one stops working, the new one works', async () => {
    const old = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--rotate-tokens', 'lab4');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/~ token of lab4: token rotated \(sha256:[0-9a-f]{12}…\)/);
    const fresh = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    expect(fresh).not.toBe(old);
    expect(await initializeStatus(inventory, 'lab4', old)).toBe(401);
    expect(await initializeStatus(inventory, 'lab4', fresh)).toBe(200);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });

  it('without --no-hub, apply then serves the hub until SIGTERM and exits with the apply outcome', async () => {
    const { spawn } = await import('node:child_process');
    const { findPackageRoot } = await import('../../src/shared/package-root.js');
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const served = writeLabInventory([{ name: 'lab4' }], { hubListen: `127.0.0.1:${port}` });
    const child = spawn(process.execPath, [`${findPackageRoot()}/bin/lanmcp.mjs`, 'apply', '-i', served, '--yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        const match = /lanmcp hub: listening on (http:\/\/\S+\/mcp)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`apply exited before the hub listened:\n${stderr}`)));
    });
    expect(stderr).toMatch(/lab4 : ok=\d+ changed=\d+ unreachable=0 failed=0/);
    const health = await fetch(url.replace(/\/mcp$/, '/healthz'));
    expect(health.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--rotate-tokens naming an unknown device is a usage error', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub', '--rotate-tokens', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_USAGE: --rotate-tokens names nope');
  });
});
