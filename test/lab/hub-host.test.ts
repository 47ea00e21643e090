import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/lab/run.js';
import { LANMCP_VERSION } from '../../src/shared/version.js';
import { connectClient, textOf } from '../integration/hub/hub-helpers.js';
import { deviceExec, freshDevice, labDevice, rebootDevice } from './lab-helpers.js';
import { runLanmcp } from '../support/cli.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

// hub.host end to end: `lanmcp apply` provisions the hub as a service on lab1 after the edges of lab1..lab3;
// a real MCP client reaches it over the lab's LAN with a client token; it survives lab1's reboot on its own.
const DEVICES = ['lab1', 'lab2', 'lab3'];
const HUB_HOST = 'lab1';
const PORT = 8765;
let inventory: string;
let token: string;
let client: Client | undefined;
const hubUrl = () => `http://${labDevice(HUB_HOST).address}:${PORT}/mcp`;
const secretsIn = (text: string) => text.match(/lm[ce]_[A-Za-z0-9_-]{20,}/g) ?? [];
const activeSince = async () => (await deviceExec(HUB_HOST, 'systemctl show -p ActiveEnterTimestampMonotonic --value lanmcp-hub')).stdout.trim();

async function waitForHub(timeoutMs: number): Promise<void> {
  let last = 'no answer';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    try {
      const response = await fetch(`http://${labDevice(HUB_HOST).address}:${PORT}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the hub on ${HUB_HOST} did not answer within ${timeoutMs} ms (last: ${last})`);
}

beforeAll(async () => {
  for (const name of DEVICES) await freshDevice(name);
  inventory = writeLabInventory(DEVICES.map((name) => ({ name })));
  writeFileSync(inventory, readFileSync(inventory, 'utf8').replace('version: 1\n', `version: 1\nhub: { listen: "127.0.0.1:${PORT}", host: ${HUB_HOST} }\n`));
  const created = await lanmcp('token', 'create', 'agent', '-i', inventory);
  expect(created.code, created.stderr).toBe(0);
  expect(created.stderr).toContain(`The hub runs on ${HUB_HOST}: run \`lanmcp apply\``);
  token = created.stdout.trim();
}, 120_000);

afterAll(async () => {
  await client?.close();
});

describe('the hub as a service on hub.host', () => {
  it('diff plans the hub on its own row; apply provisions edges and hub (exit 0) and starts no foreground hub', async () => {
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code, diff.stderr).toBe(2);
    expect(diff.stderr).toContain(`+ hub on ${HUB_HOST} (${labDevice(HUB_HOST).address}) will be provisioned`);
    expect(diff.stderr).toContain('it will carry the new edge credentials (token, TLS pin) of lab1, lab2, lab3, issued by this apply');
    const applied = await lanmcp('apply', '-i', inventory, '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(new RegExp(`^hub on ${HUB_HOST} : ok=\\d+ changed=\\d+ unreachable=0 failed=0$`, 'm'));
    expect(applied.stderr).toContain(`The hub runs on ${HUB_HOST} as lanmcp-hub.service: ${hubUrl()}`);
    expect(secretsIn(applied.stdout + applied.stderr)).toEqual([]);
  });

  it('a fresh diff is in sync (exit 0), the hub included', async () => {
    const diff = await lanmcp('diff', '-i', inventory, '--verbose');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toContain(`= hub on ${HUB_HOST}`);
    expect(diff.stderr).toContain('No changes. Your devices match the inventory.');
  });

  it('serves a real MCP client with a client token: tools listed, run_on_many on every device', async () => {
    client = await connectClient(hubUrl(), token);
    expect(client.getServerVersion()?.version).toBe(LANMCP_VERSION);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('run_on_many');
    const many = await client.callTool({ name: 'run_on_many', arguments: { target: 'all', command: 'cat /etc/hostname' } });
    const rows = (many.structuredContent as { results: { host: string; ok: boolean; stdout?: string }[] }).results;
    const expected = await Promise.all(DEVICES.map(async (name) => (await deviceExec(name, 'cat /etc/hostname')).stdout.trim()));
    expect(rows.map((r) => [r.host, r.ok, r.stdout?.trim()]), textOf(many)).toEqual(DEVICES.map((name, i) => [name, true, expected[i]]));
    const connect = await lanmcp('connect', 'json', '-i', inventory);
    expect(JSON.parse(connect.stdout).url).toBe(hubUrl());
    const status = await runLanmcp(['status', '-i', inventory], { env: { LANMCP_TOKEN: token } });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(`3/3 up · via the hub at ${hubUrl()}`);
  });

  it('keeps its secrets to root: config 0600 in a 0700 folder, no token in the unit or the journal', async () => {
    const modes = await deviceExec(HUB_HOST, "stat -c '%a %U %G %n' /etc/lanmcp-hub /etc/lanmcp-hub/hub.json");
    expect(modes.stdout.trim().split('\n')).toEqual(['700 root root /etc/lanmcp-hub', '600 root root /etc/lanmcp-hub/hub.json']);
    // The hub itself is not root: a dynamic user that got the config from systemd (LoadCredential=) and owns
    // only its state folder (0700; the lab image has no nss-systemd, so the user shows as a number).
    const uid = (await deviceExec(HUB_HOST, 'ps -o uid= -p "$(systemctl show -p MainPID --value lanmcp-hub)"')).stdout.trim();
    expect(Number(uid)).toBeGreaterThan(0);
    expect((await deviceExec(HUB_HOST, "stat -L -c '%a %u' /var/lib/lanmcp-hub")).stdout.trim()).toBe(`700 ${uid}`);
    expect((await deviceExec(HUB_HOST, 'test -s /var/lib/lanmcp-hub/audit.jsonl && echo audited')).stdout.trim()).toBe('audited');
    const config = (await deviceExec(HUB_HOST, 'cat /etc/lanmcp-hub/hub.json')).stdout;
    expect(config).toContain('"authorization":"Bearer lme_');
    expect(config).not.toContain(token);
    // Only what the hub needs: no SSH settings or operator paths (the same inventory gives the same file everywhere).
    expect(config).not.toMatch(/"ssh"|identity_file|known_hosts|\/home\/|\/root\//);
    const unit = await deviceExec(HUB_HOST, 'systemctl cat lanmcp-hub');
    expect(unit.stdout).toContain('ExecStart=/usr/bin/node');
    // It never stops retrying (systemd's own reading of the unit: no start limit).
    expect((await deviceExec(HUB_HOST, 'systemctl show -p StartLimitIntervalUSec --value lanmcp-hub')).stdout.trim()).toBe('0');
    const journal = await deviceExec(HUB_HOST, 'journalctl -u lanmcp-hub --no-pager -o cat');
    expect(journal.stdout).toContain('"hub":"start"');
    expect(secretsIn(unit.stdout + journal.stdout)).toEqual([]);
  });

  it('a second apply changes nothing: the hub is not restarted', async () => {
    const before = await activeSince();
    const again = await lanmcp('apply', '-i', inventory, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`^hub on ${HUB_HOST} : ok=\\d+ changed=0 unreachable=0 failed=0$`, 'm'));
    expect(await activeSince()).toBe(before);
  });

  it('serves again after its device reboots, without any lanmcp action', async () => {
    await client?.close();
    client = undefined;
    const took = await rebootDevice(HUB_HOST);
    await waitForHub(60_000);
    client = await connectClient(hubUrl(), token);
    let result: Awaited<ReturnType<Client['callTool']>> | undefined;
    // The hub is up before its first health checks of the edges finish: a call may briefly see one as down.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      result = await client.callTool({ name: 'run_on_many', arguments: { target: 'all', command: 'true' } });
      if ((result.structuredContent as { results: { ok: boolean }[] }).results.every((r) => r.ok)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((result!.structuredContent as { results: { host: string; ok: boolean }[] }).results.map((r) => [r.host, r.ok]), textOf(result)).toEqual(DEVICES.map((name) => [name, true]));
    console.log(`${HUB_HOST} rebooted in ${took} ms; its hub served run_on_many again`);
  });

  it('a revoked client token is refused once apply has rewritten the hub\'s config', async () => {
    await client?.close();
    client = undefined;
    const revoked = await lanmcp('token', 'revoke', 'agent', '-i', inventory);
    expect(revoked.stderr).toContain(`the hub on ${HUB_HOST} accepts it until \`lanmcp apply\``);
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('~ file /etc/lanmcp-hub/hub.json: content differs');
    const applied = await lanmcp('apply', '-i', inventory, '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    await expect(connectClient(hubUrl(), token)).rejects.toThrow(/401|Unauthorized/);
  });

  it('--limit without the hub host leaves the hub out and says so', async () => {
    const diff = await lanmcp('diff', '-i', inventory, '--limit', 'lab2');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toContain(`hub on ${HUB_HOST}: not planned, --limit leaves out the hub host ${HUB_HOST}`);
  });
  it('a move whose new hub fails leaves the old hub serving (it is removed only once the new one answers)', async () => {
    const original = readFileSync(inventory, 'utf8');
    // An address lab2 does not have: the new hub cannot listen there, fails its check and is rolled back.
    writeFileSync(inventory, original.replace(`listen: "127.0.0.1:${PORT}", host: ${HUB_HOST} }`, `listen: "10.99.99.99:${PORT}", host: lab2 }`));
    const failed = await lanmcp('apply', '-i', inventory, '--yes');
    writeFileSync(inventory, original);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/^hub on lab2 : ok=0 changed=0 unreachable=0 failed=1$/m);
    expect(failed.stderr).toContain(`hub on ${HUB_HOST}: error E_VERIFY_FAILED: not removed: the new hub on lab2 did not come up (see its row), so this hub keeps serving`);
    expect((await deviceExec(HUB_HOST, 'systemctl is-active lanmcp-hub')).stdout.trim()).toBe('active');
    expect((await deviceExec('lab2', 'systemctl is-active lanmcp-hub; ls /etc/lanmcp-hub 2>&1')).stdout).not.toMatch(/^active$|hub\.json/m);
    await waitForHub(30_000);
  });

  it('moving hub.host removes the hub from the previous device; removing hub.host removes it everywhere', async () => {
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(`host: ${HUB_HOST} }`, 'host: lab2 }'));
    const diff = await lanmcp('diff', '-i', inventory);
    expect(diff.code, diff.stderr).toBe(2);
    expect(diff.stderr).toContain(`- hub on ${HUB_HOST} (${labDevice(HUB_HOST).address}) will have lanmcp removed`);
    expect(diff.stderr).toContain('+ hub on lab2');
    const moved = await lanmcp('apply', '-i', inventory, '--yes');
    expect(moved.code, moved.stderr).toBe(0);
    expect((await deviceExec(HUB_HOST, 'systemctl is-enabled lanmcp-hub; ls -d /etc/lanmcp-hub /opt/lanmcp-hub 2>&1')).stdout).not.toMatch(/^enabled|^\/etc\/lanmcp-hub$/m);
    expect((await deviceExec(HUB_HOST, 'systemctl is-active lanmcp-edge')).stdout.trim()).toBe('active');
    expect((await deviceExec('lab2', 'systemctl is-active lanmcp-hub')).stdout.trim()).toBe('active');
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(', host: lab2 }', ' }'));
    const removed = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toMatch(/^hub on lab2 : ok=\d+ changed=\d+ unreachable=0 failed=0$/m);
    expect((await deviceExec('lab2', 'systemctl is-active lanmcp-hub; ls /etc/systemd/system/lanmcp-hub.service 2>&1')).stdout).not.toMatch(/^active$|^\/etc\/systemd/m);
    const after = await lanmcp('diff', '-i', inventory, '--verbose');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).not.toContain('hub on');
  });
});

describe('a hub that fails its check', () => {
  it('is rolled back and fails the apply (exit 1) naming its device; the edge stays applied', async () => {
    await freshDevice('lab4');
    const file = writeLabInventory([{ name: 'lab4' }]);
    // An address the device does not have: the hub service cannot listen, so /healthz never answers.
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: 1\n', 'version: 1\nhub: { listen: "10.99.99.99:8765", host: lab4 }\n'));
    const applied = await lanmcp('apply', '-i', file, '--yes');
    expect(applied.code, applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(/^lab4 +: ok=\d+ changed=\d+ unreachable=0 failed=0$/m);
    expect(applied.stderr).toMatch(/^hub on lab4 : ok=0 changed=0 unreachable=0 failed=1$/m);
    expect(applied.stderr).toMatch(/hub on lab4: error E_VERIFY_FAILED: the hub on lab4 did not answer http:\/\/[\d.]+:8765\/healthz .*; rolled back: the hub host is back to how it was/);
    expect(applied.stderr).toContain('the hub on lab4 failed: see its error above');
    expect((await deviceExec('lab4', 'systemctl is-active lanmcp-edge')).stdout.trim()).toBe('active');
    expect((await deviceExec('lab4', 'systemctl is-enabled lanmcp-hub; ls /etc/lanmcp-hub /opt/lanmcp-hub')).stdout.trim()).not.toMatch(/enabled|hub\.json|hub\.mjs/);
    expect((await deviceExec('lab4', 'systemctl is-active lanmcp-hub')).stdout.trim()).not.toBe('active');
  });
});

describe('hub.tls on hub.host', () => {
  it('serves HTTPS with the given certificate; apply checks it is that certificate; connect prints the https URL', async () => {
    await freshDevice('lab4');
    const file = writeLabInventory([{ name: 'lab4' }]);
    const dir = dirname(file);
    const address = labDevice('lab4').address;
    await runCommand(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'hub.key'), '-out', join(dir, 'hub.crt'),
      '-days', '2', '-subj', '/CN=lab4', '-addext', `subjectAltName=IP:${address}`]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: 1\n', 'version: 1\nhub: { listen: "127.0.0.1:8765", host: lab4, tls: { cert_file: hub.crt, key_file: hub.key } }\n'));
    const applied = await lanmcp('apply', '-i', file, '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('hub on lab4: verifying the hub over HTTPS');
    expect(applied.stderr).toContain(`The hub runs on lab4 as lanmcp-hub.service: https://${address}:8765/mcp`);
    expect(JSON.parse((await lanmcp('connect', 'json', '-i', file)).stdout).url).toBe(`https://${address}:8765/mcp`);
    // A client that trusts this certificate (and checks the address against it) gets the hub's health.
    const health = await new Promise<string>((resolve, reject) => {
      httpsGet(`https://${address}:8765/healthz`, { ca: readFileSync(join(dir, 'hub.crt')), agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body));
      }).on('error', reject);
    });
    expect(JSON.parse(health)).toEqual({ ok: true, version: LANMCP_VERSION });
    expect((await deviceExec('lab4', "stat -c '%a %U' /etc/lanmcp-hub/hub.json")).stdout.trim()).toBe('600 root');
    expect(secretsIn(applied.stdout + applied.stderr)).toEqual([]);
    expect(applied.stderr).not.toContain('PRIVATE KEY');
  });
});
