import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDesiredHub } from '../../../src/hubhost/desired.js';
import { executeHub } from '../../../src/hubhost/execute-hub.js';
import { planHub } from '../../../src/hubhost/plan-hub.js';
import type { HubFacts } from '../../../src/hubhost/types.js';
import type { Connector } from '../../../src/remote/connector.js';
import { sha256Hex } from '../../../src/shared/hash.js';

// The hub phase's executor over an in-memory connector, verifying against a real local HTTP server that
// plays the restarted hub's /healthz (answering the right version, or a wrong one).
const template = readFileSync(new URL('../../../templates/lanmcp-hub.service', import.meta.url), 'utf8');
const bundle = new TextEncoder().encode('hub bundle');
const artifacts = { version: '0.1.0', bundleSha256: sha256Hex(bundle), unitTemplate: template, bundle };
let server: Server;
let port: number;
let answerVersion = '0.1.0';

function fakeConnector() {
  const calls: string[] = [];
  const connector: Connector = {
    label: 'root@127.0.0.1:22 (lab1)',
    exec: async (command) => {
      calls.push(`exec ${command}`);
      return { code: 0, stdout: '', stderr: '' };
    },
    putFile: async (path, _content, options) => {
      calls.push(`put ${path} ${options.mode.toString(8)}`);
    },
    close: async () => undefined,
  };
  return { connector, calls };
}

const fresh: HubFacts = { nodeVersion: '18.20.4', nodePath: '/usr/bin/node', systemd: true, files: {}, dirs: {}, service: { enabled: false, active: false }, receipt: undefined, leftovers: [] };

function inspection(facts: HubFacts) {
  const desired = buildDesiredHub({ host: 'lab1', address: '127.0.0.1', port, tls: false, artifacts, configText: '{"format":1}\n', pendingCredentials: [], nodePath: '/usr/bin/node' });
  const { connector, calls } = fakeConnector();
  return { calls, inspection: { plan: planHub(desired, facts), connector, desired, facts } };
}

beforeAll(async () => {
  server = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify({ ok: true, version: answerVersion })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('executeHub', () => {
  it('writes bundle, config (0600) and unit, reloads, enables, restarts, verifies /healthz, then writes the receipt', async () => {
    answerVersion = '0.1.0';
    const { calls, inspection: work } = inspection(fresh);
    const result = await executeHub(work, artifacts);
    expect(result).toMatchObject({ device: 'hub on lab1', status: 'changed', verify: { version: '0.1.0' } });
    expect(calls.filter((c) => c.startsWith('put'))).toEqual([
      'put /opt/lanmcp-hub/hub.mjs 644', 'put /etc/lanmcp-hub/hub.json 600', 'put /etc/systemd/system/lanmcp-hub.service 644', 'put /etc/lanmcp-hub/receipt.json 644',
    ]);
    const service = calls.find((c) => c.includes('systemctl restart'))!;
    expect(service).toMatch(/systemctl daemon-reload\nsystemctl enable --quiet --no-reload lanmcp-hub.service\nsystemctl restart lanmcp-hub.service/);
    expect(calls[0]).toMatch(/mkdir -p \/opt\/lanmcp-hub \/etc\/lanmcp-hub\nchown root:root \/etc\/lanmcp-hub\nchmod 700 \/etc\/lanmcp-hub/);
  });

  it('rolls back when the restarted hub does not answer with this version: new files removed, service stopped and disabled, no receipt', async () => {
    answerVersion = '0.0.9';
    const { calls, inspection: work } = inspection(fresh);
    const result = await executeHub(work, artifacts, { verifyTimeoutMs: 600 });
    expect(result).toMatchObject({ device: 'hub on lab1', status: 'failed', rolledBack: true, error: { code: 'E_VERIFY_FAILED' } });
    expect(result.error!.message).toMatch(/the hub on lab1 did not answer http:\/\/127\.0\.0\.1:\d+\/healthz with version 0\.1\.0 .*last: HTTP 200, version 0\.0\.9.*; rolled back: the hub host is back to how it was$/);
    const rollback = calls.at(-1)!;
    expect(rollback).toContain('rm -f /opt/lanmcp-hub/hub.mjs\nrm -f /etc/lanmcp-hub/hub.json\nrm -f /etc/systemd/system/lanmcp-hub.service');
    expect(rollback).toContain('systemctl stop lanmcp-hub.service');
    expect(rollback).toContain('systemctl disable --quiet lanmcp-hub.service');
    expect(calls.some((c) => c.includes('receipt.json'))).toBe(false);
  });

  it('after a rollback to a running hub, names the devices whose new edge credentials it lacks and says to rerun apply', async () => {
    answerVersion = '0.0.9';
    const running: HubFacts = { ...fresh, service: { enabled: true, active: true } };
    const renewed = await executeHub(inspection(running).inspection, artifacts, { verifyTimeoutMs: 600, renewed: ['lab2', 'lab3'] });
    expect(renewed).toMatchObject({ status: 'failed', rolledBack: true });
    expect(renewed.error!.message).toMatch(/; rolled back: the previous hub is running again, but with the old credentials of lab2, lab3, whose edges now expect new ones: it cannot reach them until `lanmcp apply` succeeds \(fix the cause, then rerun it\)$/);
    const same = await executeHub(inspection(running).inspection, artifacts, { verifyTimeoutMs: 600 });
    expect(same.error!.message).toMatch(/; rolled back: the previous hub is running again$/);
  });

  it('refuses to restart an HTTPS hub without the certificate to check it against (never a silent skip)', async () => {
    const { calls, inspection: work } = inspection(fresh);
    const https = { ...work, desired: { ...work.desired, base: work.desired.base.replace('http:', 'https:') } };
    expect(await executeHub(https, artifacts)).toMatchObject({ status: 'failed', error: { code: 'E_INTERNAL', message: expect.stringContaining('no hub.tls certificate to check it against') } });
    expect(calls).toEqual([]);
  });

  it('touches nothing when the plan has no change', async () => {
    answerVersion = '0.1.0';
    const { inspection: first } = inspection(fresh);
    const [b, c, u] = first.desired.files.map((f) => f.sha256);
    const files = { [first.desired.files[0]!.path]: b!, [first.desired.files[1]!.path]: c!, [first.desired.files[2]!.path]: u! };
    const modes = [0o644, 0o600, 0o644];
    const synced: HubFacts = {
      ...fresh,
      files: Object.fromEntries(Object.entries(files).map(([path, sha256], i) => [path, { sha256, mode: modes[i]!, owner: 'root', group: 'root' }])),
      dirs: { '/etc/lanmcp-hub': { mode: 0o700, owner: 'root', group: 'root' }, '/var/lib/lanmcp-hub': { mode: 0o700, owner: 'root', group: 'root' } },
      service: { enabled: true, active: true },
      receipt: { lanmcp_version: '0.1.0', files },
    };
    const { calls, inspection: work } = inspection(synced);
    expect(work.plan.outcome).toBe('unchanged');
    expect(await executeHub(work, artifacts)).toMatchObject({ status: 'ok', changed: 0 });
    expect(calls).toEqual([]);
  });
});
