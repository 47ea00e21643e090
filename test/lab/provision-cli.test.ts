import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deviceExec, freshDevice, labDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

const tokenFile = (inventory: string, device: string) => join(dirname(inventory), '.lanmcp', 'tokens', `${device}.token`);

/** An MCP initialize straight to the edge: 200 with a valid token, 401 otherwise. */
async function initializeStatus(device: string, token: string): Promise<number> {
  const response = await fetch(`http://${labDevice(device).address}:8766/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('apply: confirmation, --json, token rotation', () => {
  let inventory: string;

  beforeAll(async () => {
    await freshDevice('lab4');
    inventory = writeLabInventory([{ name: 'lab4' }]);
  });

  it('refuses to prompt without a terminal and changes nothing', async () => {
    const run = await lanmcp('apply', '-i', inventory);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_CONFIRM_REQUIRED: refusing to prompt for confirmation without a terminal');
    expect((await deviceExec('lab4', 'ls /opt/lanmcp-edge 2>&1')).code).not.toBe(0);
    expect(existsSync(tokenFile(inventory, 'lab4'))).toBe(false);
  });

  it('--json prints the plan and per-device results; the token is 0600 and only its hash is on the device', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--json');
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout) as { plan: { summary: Record<string, number> }; results: { device: string; status: string; verify?: { version: string; tools: string[] } }[] };
    expect(data.plan.summary.provision).toBe(1);
    expect(data.results).toEqual([expect.objectContaining({ device: 'lab4', status: 'changed', verify: expect.objectContaining({ tools: expect.arrayContaining(['run_command', 'system_info']) }) })]);
    const token = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    expect((await import('node:fs')).statSync(tokenFile(inventory, 'lab4')).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toContain(token);
    expect((await deviceExec('lab4', `grep -rF '${token}' /etc /opt /var/lib/lanmcp-edge; true`)).stdout).toBe('');
    expect(await initializeStatus('lab4', token)).toBe(200);
  });

  it('--rotate-tokens issues a new token: the old one stops working, the new one works', async () => {
    const old = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--rotate-tokens', 'lab4');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/~ token of lab4: token rotated \(sha256:[0-9a-f]{12}…\)/);
    const fresh = readFileSync(tokenFile(inventory, 'lab4'), 'utf8').trim();
    expect(fresh).not.toBe(old);
    expect(await initializeStatus('lab4', old)).toBe(401);
    expect(await initializeStatus('lab4', fresh)).toBe(200);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
  });

  it('--rotate-tokens naming an unknown device is a usage error', async () => {
    const run = await lanmcp('apply', '-i', inventory, '--yes', '--rotate-tokens', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_USAGE: --rotate-tokens names nope');
  });
});
