import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceInspection } from '../../../src/apply/inspect.js';
import { hubPlans, pendingCredentialsOf, planHubPhase, runHubPhase } from '../../../src/hubhost/hub-phase.js';
import { readHubRecord, writeHubRecord } from '../../../src/hubhost/hub-record.js';
import type { EdgeDevice, ResolvedHub } from '../../../src/inventory/types.js';
import { planTls } from '../../../src/plan/plan-tls.js';
import type { DesiredEdge, DeviceFacts } from '../../../src/plan/types.js';
import type { Connector } from '../../../src/remote/connector.js';
import { LanmcpError } from '../../../src/shared/errors.js';

// The hub phase's planning over in-memory connections whose facts script answers like a fresh or an
// installed hub host.
const policy = { read_only: false, tools: ['run_command' as const], commands: { allow: [], deny: [] }, timeout_s: 60, max_output_bytes: 1_048_576, max_concurrent: 8, services: [], confirm: 'never' as const };
const edge = (name: string, address: string): EdgeDevice => ({
  kind: 'edge', name, address, tags: [], groups: [], state: 'present',
  ssh: { user: 'root', port: 22, become: 'none', connect_timeout_s: 10 }, edge: { port: 8766, run_as: 'root', tls: false, policy }, source: { file: 'i.yaml', line: 1, column: 1 },
});
const devices = [edge('lab1', '10.0.0.11'), edge('lab2', '10.0.0.12')];
const artifacts = async () => ({ version: '0.1.0', bundleSha256: 'ab'.repeat(32), unitTemplate: 'ExecStart={{node_path}} {{bundle_path}} --config {{config_path}} # {{host}} {{version}} {{max_old_space_mb}}\n', bundle: new Uint8Array() });

const FRESH = '@node\n/usr/bin/node\nv18.20.4\n@systemd\nyes\n@enabled\n@active\n@receipt\n@leftovers\n@end\n';
const INSTALLED = `@node\n/usr/bin/node\nv18.20.4\n@systemd\nyes\n@file /opt/lanmcp-hub/hub.mjs\n${'cd'.repeat(32)}\n644 root root\n@enabled\nenabled\n@active\nactive\n@receipt\n@leftovers\n@end\n`;

function connector(stdout: string): Connector {
  return { label: 'fake', exec: async () => ({ code: 0, stdout, stderr: '' }), putFile: async () => undefined, close: async () => undefined };
}

/** A connection that answers every script with `facts` and records what it was asked to run and write. */
function recording(facts: string, putFile: Connector['putFile'] = async () => undefined) {
  const scripts: string[] = [];
  const puts: string[] = [];
  const connector: Connector = {
    label: 'fake',
    exec: async (script) => {
      scripts.push(script);
      return { code: 0, stdout: facts, stderr: '' };
    },
    putFile: async (path, content, options) => {
      puts.push(path);
      return putFile(path, content, options);
    },
    close: async () => undefined,
  };
  return { connector, scripts, puts };
}

function inspected(device: EdgeDevice, facts: string, extra: Partial<DeviceInspection> = {}): DeviceInspection {
  return { device, plan: { device: device.name, address: device.address, outcome: 'unchanged', changes: [] }, connector: connector(facts), ...extra };
}

const hub = (host?: string): ResolvedHub => ({ listen: '127.0.0.1:8765', listen_host: '127.0.0.1', listen_port: 8765, per_device_tools: false, audit_log: '/x', ...(host ? { host } : {}) });
const input = (host: string | undefined, stateDir: string) => ({ hub: hub(host), devices, groups: {}, stateDir, env: {} });
const stateDir = () => mkdtempSync(join(tmpdir(), 'lanmcp-hubphase-'));

describe('planHubPhase', () => {
  it('plans the hub on hub.host from its open connection, waiting for the credentials this run issues', async () => {
    const phase = await planHubPhase(input('lab1', stateDir()), [inspected(devices[0]!, FRESH, { issuedToken: 'lme_x' }), inspected(devices[1]!, FRESH)], artifacts);
    expect(hubPlans(phase).map((p) => [p.device, p.outcome])).toEqual([['hub on lab1', 'provision']]);
    const config = phase.serve!.inspection.plan.changes.find((c) => c.resource.type === 'file' && c.resource.path.endsWith('hub.json'))!;
    expect(config.reason).toContain('new edge credentials (token, TLS pin) of lab1, issued by this apply');
    expect(phase.notes).toEqual([]);
  });

  it('says why the hub is left out when --limit leaves out the hub host', async () => {
    const phase = await planHubPhase(input('lab1', stateDir()), [inspected(devices[1]!, FRESH)], artifacts);
    expect(hubPlans(phase)).toEqual([]);
    expect(phase.notes).toEqual(['hub on lab1: not planned, --limit leaves out the hub host lab1 (include it to update the hub)']);
  });

  it('plans the removal of the hub on the previous hub host when hub.host moved or went', async () => {
    const dir = stateDir();
    await writeHubRecord(dir, 'lab1');
    const moved = await planHubPhase(input('lab2', dir), [inspected(devices[0]!, INSTALLED), inspected(devices[1]!, FRESH)], artifacts);
    expect(hubPlans(moved).map((p) => [p.device, p.outcome])).toEqual([['hub on lab2', 'provision'], ['hub on lab1', 'remove']]);
    expect(moved.retire!.plan.changes[0]!.reason).toBe('hub.host moved to lab2 — stop and disable the hub here');
    const gone = await planHubPhase(input(undefined, dir), [inspected(devices[0]!, INSTALLED)], artifacts);
    expect(hubPlans(gone).map((p) => [p.device, p.outcome])).toEqual([['hub on lab1', 'remove']]);
    expect(gone.retire!.plan.changes[0]!.reason).toMatch(/^hub\.host was removed from the inventory/);
  });

  it('keeps the old hub out of the plan while its replacement cannot come up in this run', async () => {
    const dir = stateDir();
    await writeHubRecord(dir, 'lab1');
    const limited = await planHubPhase(input('lab2', dir), [inspected(devices[0]!, INSTALLED)], artifacts);
    expect(hubPlans(limited)).toEqual([]);
    expect(limited.retirePending).toBe(true);
    expect(limited.notes).toContain('hub on lab1: not removed yet (hub.host moved to lab2): --limit leaves out the new hub host lab2; it keeps serving until the hub on lab2 is in place');
    const noNode = FRESH.replace('/usr/bin/node\nv18.20.4\n', '');
    const blocked = await planHubPhase(input('lab2', dir), [inspected(devices[0]!, INSTALLED), inspected(devices[1]!, noNode)], artifacts);
    expect(hubPlans(blocked).map((p) => [p.device, p.outcome])).toEqual([['hub on lab2', 'blocked']]);
    expect(blocked.notes).toContain('hub on lab1: not removed yet (hub.host moved to lab2): the hub on lab2 cannot be provisioned (see its row); it keeps serving until the hub on lab2 is in place');
  });

  it('names a previous hub host that left the inventory, for removal by hand', async () => {
    const dir = stateDir();
    await writeHubRecord(dir, 'old-box');
    const phase = await planHubPhase(input(undefined, dir), [inspected(devices[0]!, FRESH)], artifacts);
    expect(phase.retirePending).toBe(false);
    expect(phase.notes[0]).toMatch(/^hub on old-box: hub\.host was removed from the inventory, but old-box is no longer in the inventory: remove the hub there by hand/);
  });

  it('does nothing without hub.host and without a previous one', async () => {
    expect(hubPlans(await planHubPhase(input(undefined, stateDir()), [inspected(devices[0]!, FRESH)], artifacts))).toEqual([]);
  });
});

describe('pendingCredentialsOf', () => {
  it('lists devices that get a token or a TLS pin from this run', () => {
    const tlsKey = { device: 'lab2', address: '', outcome: 'update' as const, changes: [{ resource: { type: 'tls-key', device: 'lab2' } as never, action: 'create' as const, reason: 'r' }] };
    expect(pendingCredentialsOf([inspected(devices[0]!, FRESH, { issuedToken: 'lme_x' }), inspected(devices[1]!, FRESH, { plan: tlsKey })])).toEqual(['lab1', 'lab2']);
    expect(pendingCredentialsOf([inspected(devices[0]!, FRESH)])).toEqual([]);
  });

  it('counts a TLS key change only when the pin in .lanmcp/ changes, never a mode repair', () => {
    // The tls-key changes as the edge planner makes them, for one device in each situation.
    const pin = 'ab'.repeat(32);
    const access = { key: { mode: 0o600, owner: 'root', group: 'root' }, dir: { mode: 0o700, owner: 'root', group: 'root' } };
    const tlsCase = (name: string, pinned: string | undefined, tls: DeviceFacts['tls'], rotate = false) => {
      const desired = { device: name, tls: { ...(pinned ? { pinned } : {}), rotate }, tokenSha256: 'cd'.repeat(32) } as unknown as DesiredEdge;
      const change = planTls(desired, { tls } as DeviceFacts, access).change!;
      const device = edge(name, '10.0.0.9');
      return inspected(device, FRESH, { desired, plan: { device: name, address: '10.0.0.9', outcome: 'update', changes: [change] } });
    };
    const installed = { cert: true, certPin: pin, key: access.key, dir: access.dir };
    const cases = [
      tlsCase('mode-drift', pin, { ...installed, key: { ...access.key, mode: 0o644 } }),
      tlsCase('dir-drift', pin, { ...installed, dir: { ...access.dir, mode: 0o755 } }),
      tlsCase('in-sync', pin, installed),
      tlsCase('fresh-key', undefined, { cert: false }),
      tlsCase('rotated', pin, installed, true),
      tlsCase('re-pinned', 'ef'.repeat(32), installed),
      tlsCase('first-pin', undefined, installed),
    ];
    expect(cases.map((c) => [c.device.name, c.plan.changes[0]!.action])).toEqual([
      ['mode-drift', 'update'], ['dir-drift', 'update'], ['in-sync', 'noop'], ['fresh-key', 'create'], ['rotated', 'update'], ['re-pinned', 'update'], ['first-pin', 'update'],
    ]);
    expect(pendingCredentialsOf(cases)).toEqual(['fresh-key', 'rotated', 're-pinned', 'first-pin']);
  });
});

describe('runHubPhase and the record of the hub host', () => {
  const ok = (device: string) => ({ device, status: 'ok' as const, ok: 1, changed: 0 });

  it('keeps naming the previous host while its hub was not removed (--limit left it out), and the current one once it was', async () => {
    // lab2 is this machine here: a local server plays its restarted hub's /healthz.
    const server = createServer((_request, response) => response.end(JSON.stringify({ ok: true, version: '0.1.0' })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const local = [devices[0]!, edge('lab2', '127.0.0.1')];
      const at = (host: string, dir: string) => ({ ...input(host, dir), devices: local, hub: { ...hub(host), listen: `127.0.0.1:${port}`, listen_port: port } });
      const dir = stateDir();
      await writeHubRecord(dir, 'lab1');
      const limited = await planHubPhase(at('lab2', dir), [inspected(local[1]!, FRESH)], artifacts);
      expect(limited.notes).toEqual(['hub on lab1: not removed, --limit leaves out lab1 (hub.host moved to lab2)']);
      const served = await runHubPhase(limited, [inspected(local[1]!, FRESH)], [ok('lab2')], artifacts, () => undefined);
      expect(served.map((r) => [r.device, r.status])).toEqual([['hub on lab2', 'changed']]);
      expect((await readHubRecord(dir))?.host).toBe('lab1');
      const both = await planHubPhase(at('lab2', dir), [inspected(local[0]!, INSTALLED), inspected(local[1]!, FRESH)], artifacts);
      const done = await runHubPhase(both, [inspected(local[0]!, INSTALLED), inspected(local[1]!, FRESH)], [ok('lab1'), ok('lab2')], artifacts, () => undefined);
      expect(done.map((r) => [r.device, r.status])).toEqual([['hub on lab2', 'changed'], ['hub on lab1', 'changed']]);
      expect((await readHubRecord(dir))?.host).toBe('lab2');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('proves the new hub before it removes the old one: a new hub that fails leaves the old one serving and the record on it', async () => {
    const dir = stateDir();
    await writeHubRecord(dir, 'lab1');
    const old = recording(INSTALLED);
    const broken = recording(FRESH, async () => {
      throw new LanmcpError('E_REMOTE_COMMAND', 'writing /opt/lanmcp-hub/hub.mjs failed on lab2: No space left on device');
    });
    const now = [inspected(devices[0]!, INSTALLED, { connector: old.connector }), inspected(devices[1]!, FRESH, { connector: broken.connector })];
    const phase = await planHubPhase(input('lab2', dir), now, artifacts);
    expect(hubPlans(phase).map((p) => [p.device, p.outcome])).toEqual([['hub on lab2', 'provision'], ['hub on lab1', 'remove']]);
    const done = await runHubPhase(phase, now, [ok('lab1'), ok('lab2')], artifacts, () => undefined);
    expect(done.map((r) => [r.device, r.status])).toEqual([['hub on lab2', 'failed'], ['hub on lab1', 'failed']]);
    expect(done[0]).toMatchObject({ rolledBack: true, error: { message: expect.stringMatching(/No space left on device; rolled back/) } });
    expect(done[1]!.error).toMatchObject({ code: 'E_REMOTE_COMMAND', message: 'not removed: the new hub on lab2 did not come up (see its row), so this hub keeps serving' });
    expect(old.scripts.some((c) => c.includes('systemctl disable --now'))).toBe(false);
    expect((await readHubRecord(dir))?.host).toBe('lab1');
  });

  it('fails the hub row naming hub.tls.cert_file when it cannot be read at apply time, before touching the device', async () => {
    const dir = stateDir();
    const cert = join(dir, 'hub.crt');
    const key = join(dir, 'hub.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=lab2', '-keyout', key, '-out', cert], { stdio: 'pipe' });
    const host = recording(FRESH);
    const now = [inspected(devices[1]!, FRESH, { connector: host.connector })];
    const tlsInput = { ...input('lab2', dir), hub: { ...hub('lab2'), tls: { cert_file: cert, key_file: key } } };
    const phase = await planHubPhase(tlsInput, now, artifacts);
    expect(hubPlans(phase).map((p) => p.outcome)).toEqual(['provision']);
    rmSync(cert);
    const [row] = await runHubPhase(phase, now, [ok('lab2')], artifacts, () => undefined);
    expect(row).toMatchObject({ device: 'hub on lab2', status: 'failed', error: { code: 'E_HUB_LISTEN', message: `hub.tls.cert_file ${cert} does not exist` } });
    expect(host.puts).toEqual([]);
  });
});
