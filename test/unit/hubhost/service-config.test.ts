import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDesiredHub } from '../../../src/hubhost/desired.js';
import { MAX_CONFIG_BYTES, planHub } from '../../../src/hubhost/plan-hub.js';
import type { HubFacts } from '../../../src/hubhost/types.js';
import { createConfigClientAuth } from '../../../src/hubhost/config-client-auth.js';
import { planServiceListen, renderServiceConfig, renderServiceConfigText } from '../../../src/hubhost/render-config.js';
import { parseServiceConfig } from '../../../src/hubhost/service-config.js';
import { serviceHubOptions } from '../../../src/hubhost/service-options.js';
import type { EdgeDevice, McpDevice, ResolvedHub } from '../../../src/inventory/types.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const policy = { read_only: false, tools: ['run_command' as const], commands: { allow: [], deny: [] }, timeout_s: 60, max_output_bytes: 1_048_576, max_concurrent: 8, services: [], confirm: 'never' as const };
const edge = (name: string, address: string): EdgeDevice => ({
  kind: 'edge', name, address, tags: ['t'], groups: [], state: 'present',
  ssh: { user: 'root', port: 22, become: 'none', connect_timeout_s: 10 },
  edge: { port: 8766, run_as: 'root', tls: false, policy }, source: { file: '/home/me/lan/inventory.yaml', line: 3, column: 3 },
});
const ha: McpDevice = { kind: 'mcp', name: 'ha', url: 'http://10.0.0.5:8123/api/mcp', tags: [], groups: [], state: 'present', auth: { bearer_env: 'HA_TOKEN' }, source: { file: '/home/me/lan/inventory.yaml', line: 9, column: 3 } };
const hub: ResolvedHub = { listen: '127.0.0.1:9000', listen_host: '127.0.0.1', listen_port: 9000, host: 'gw', per_device_tools: false, audit_log: '/home/me/lan/.lanmcp/audit.jsonl', public_url: 'https://lan.example.com/mcp' };
const gw = edge('gw', '10.0.0.2');
const devices = [gw, edge('pi', '10.0.0.3'), ha];

function render(overrides: Partial<Parameters<typeof renderServiceConfig>[0]> = {}) {
  return renderServiceConfig({
    hub, hubDevice: gw, devices, groups: { all: ['gw', 'pi'] }, env: { HA_TOKEN: 'ha-secret' },
    credentials: new Map([['gw', { token: 'lme_gw' }], ['pi', { token: 'lme_pi', pin: 'ab'.repeat(32) }]]),
    clientTokens: [{ name: 'zed', sha256: sha('lmc_z') }, { name: 'laptop', sha256: sha('lmc_l') }],
    ...overrides,
  });
}

describe('the hub service config', () => {
  it('listens on every interface of the hub host at hub.listen\'s port when hub.listen is loopback, else as written', () => {
    expect(planServiceListen({ listen_host: '127.0.0.1', listen_port: 9000 })).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(planServiceListen({ listen_host: '::1', listen_port: 9000 })).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(planServiceListen({ listen_host: '10.0.0.2', listen_port: 8765 })).toEqual({ host: '10.0.0.2', port: 8765 });
    expect(render().listen).toEqual({ host: '0.0.0.0', port: 9000 });
  });

  it('carries the edges\' credentials and kind: mcp credentials from the environment, client tokens only as sorted hashes', () => {
    const config = render();
    expect(config.specs.map((s) => [s.name, s.headers.authorization])).toEqual([['gw', 'Bearer lme_gw'], ['pi', 'Bearer lme_pi'], ['ha', 'Bearer ha-secret']]);
    expect(config.client_tokens).toEqual([{ name: 'laptop', sha256: sha('lmc_l') }, { name: 'zed', sha256: sha('lmc_z') }]);
    const text = renderServiceConfigText(config);
    expect(text).not.toContain('lmc_');
  });

  it('allows the hub host\'s address and name and the public URL\'s host; audits on the device; the inventory path stays home', () => {
    const config = render();
    expect(config.allowed_hosts).toEqual(expect.arrayContaining(['10.0.0.2', 'gw', 'lan.example.com', 'localhost', '127.0.0.1']));
    expect(config.allowed_hosts).not.toContain('0.0.0.0');
    expect(config.audit_log).toBe('/var/lib/lanmcp-hub/audit.jsonl');
    expect(renderServiceConfigText(config)).not.toContain('/home/me');
  });

  it('is the same text for every operator: no SSH settings, no inventory path under someone\'s home', () => {
    // One inventory, checked out by two people: SSH paths and the inventory's location expand to each home.
    const as = (home: string) => render({
      devices: devices.map((d) => ({
        ...d, source: { ...d.source, file: `${home}/lan/inventory.yaml` },
        ...(d.kind === 'edge' ? { ssh: { ...d.ssh, identity_file: `${home}/.ssh/id_ed25519`, known_hosts: `${home}/.ssh/known_hosts` } } : {}),
      })),
    });
    const alice = renderServiceConfigText(as('/home/alice'));
    expect(alice).toBe(renderServiceConfigText(as('/home/bob')));
    expect(alice).not.toMatch(/\/home\/|identity_file|known_hosts|"ssh"|bearer_env/);
    // What the hub's tools read of a device is still there.
    const gwBack = serviceHubOptions(parseServiceConfig(JSON.parse(alice))).devices!.find((d) => d.name === 'gw')!;
    expect(gwBack).toMatchObject({ kind: 'edge', name: 'gw', state: 'present', tags: ['t'], groups: [], edge: { run_as: 'root', policy: { confirm: 'never' } } });
  });

  it('is compact JSON on one line', () => {
    const text = renderServiceConfigText(render());
    expect(text.split('\n')).toEqual([expect.stringMatching(/^\{"format":1,/), '']);
  });

  it('is the same text for the same input (no restart without a change) and parses back into hub options', () => {
    expect(renderServiceConfigText(render())).toBe(renderServiceConfigText(render()));
    const parsed = parseServiceConfig(JSON.parse(renderServiceConfigText(render({ tls: { cert: 'CERT', key: 'KEY' } }))));
    const options = serviceHubOptions(parsed);
    expect(options).toMatchObject({ host: '0.0.0.0', port: 9000, auditLog: '/var/lib/lanmcp-hub/audit.jsonl', tls: { cert: 'CERT', key: 'KEY' } });
    expect(options.auth.verify('lmc_l')).toBe('laptop');
  });

  it('refuses a config it cannot trust, naming what is wrong', () => {
    const good = JSON.parse(renderServiceConfigText(render())) as Record<string, unknown>;
    expect(() => parseServiceConfig({ ...good, format: 2 })).toThrow(/format must be 1/);
    expect(() => parseServiceConfig({ ...good, client_tokens: [{ name: 'x', sha256: 'nothex' }] })).toThrow(/client_tokens/);
    expect(() => parseServiceConfig({ ...good, listen: { host: '0.0.0.0' } })).toThrow(/listen/);
    expect(() => parseServiceConfig(null)).toThrow(/not a JSON object/);
  });
});

describe('the config\'s size (systemd loads it as a credential, at most 1 MiB)', () => {
  const template = readFileSync(new URL('../../../templates/lanmcp-hub.service', import.meta.url), 'utf8');
  const fresh: HubFacts = { nodeVersion: '18.20.4', nodePath: '/usr/bin/node', systemd: true, systemdVersion: 252, files: {}, dirs: {}, service: { enabled: false, active: false }, receipt: undefined, leftovers: [] };
  // n TLS edges with a token and a pin each, described, tagged and grouped like a real fleet.
  const fleetConfig = (n: number) => {
    const fleet = Array.from({ length: n }, (_, i) => ({ ...edge(`dev${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`), description: `rack ${i % 40} shelf ${i % 7}`, tags: ['linux', `site-${i % 9}`] }));
    const credentials = new Map(fleet.map((d) => [d.name, { token: `lme_${'x'.repeat(43)}`, pin: 'ab'.repeat(32) }]));
    return renderServiceConfigText(render({ hubDevice: fleet[0]!, devices: fleet, credentials, groups: { all: fleet.map((d) => d.name) } }));
  };
  const plan = (configText: string) => planHub(buildDesiredHub({
    host: 'dev0', address: '10.0.0.0', port: 8765, tls: false, configText, pendingCredentials: [], nodePath: '/usr/bin/node',
    artifacts: { version: '0.1.0', bundleSha256: 'cd'.repeat(32), unitTemplate: template },
  }), fresh);

  it('stays well under a kilobyte a device', () => {
    const perDevice = (fleetConfig(200).length - fleetConfig(100).length) / 100;
    expect(perDevice).toBeLessThan(1024);
  });

  it('blocks the hub row with the reason when the config would pass 900 KiB, and plans it below', () => {
    const small = plan(fleetConfig(50));
    expect(small.outcome).toBe('provision');
    const large = fleetConfig(2500);
    expect(Buffer.byteLength(large)).toBeGreaterThan(MAX_CONFIG_BYTES);
    const blocked = plan(large);
    expect(blocked.outcome).toBe('blocked');
    expect(blocked.changes).toEqual([expect.objectContaining({ resource: { type: 'file', path: '/etc/lanmcp-hub/hub.json' }, action: 'blocked' })]);
    expect(blocked.error).toMatchObject({ code: 'E_DEVICE_UNSUPPORTED', message: expect.stringMatching(/^the hub's config would be \d+ KiB, over the 900 KiB lanmcp allows: .*LoadCredential=.*1 MiB$/) });
    expect(blocked.error!.hint).toMatch(/split the devices between hubs/);
  });
});

describe('client tokens from the config', () => {
  const auth = createConfigClientAuth([{ name: 'laptop', sha256: sha('lmc_l') }, { name: 'ci', sha256: sha('lmc_c') }]);

  it('names the token that matches and nothing else; lists names and hashes for the status page', () => {
    expect(auth.verify('lmc_l')).toBe('laptop');
    expect(auth.verify('lmc_c')).toBe('ci');
    expect(auth.verify('lmc_unknown')).toBeUndefined();
    expect(auth.verify('')).toBeUndefined();
    expect(auth.list()).toEqual([{ name: 'laptop', sha256: sha('lmc_l') }, { name: 'ci', sha256: sha('lmc_c') }]);
  });
});
