import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHubFactsScript } from '../../../src/hubhost/facts-script.js';
import { renderHubUnit } from '../../../src/hubhost/hub-unit.js';
import { planHubEndpoint } from '../../../src/hubhost/hub-url.js';
import { parseHubFacts } from '../../../src/hubhost/parse-facts.js';
import type { Device, ResolvedHub } from '../../../src/inventory/types.js';

const template = readFileSync(new URL('../../../templates/lanmcp-hub.service', import.meta.url), 'utf8');
const values = { host: 'gw', version: '0.1.0', node_path: '/usr/bin/node', bundle_path: '/opt/lanmcp-hub/hub.mjs', config_path: '/etc/lanmcp-hub/hub.json', max_old_space_mb: 192 };

describe('hub facts', () => {
  it('reads files, folders, the unit text, the service and the receipt; never the config text', () => {
    expect(renderHubFactsScript()).not.toMatch(/base64 -w0 < \/etc\/lanmcp-hub\/hub\.json/);
    const receipt = Buffer.from(JSON.stringify({ lanmcp_version: '0.1.0', files: { '/opt/lanmcp-hub/hub.mjs': 'aa' } })).toString('base64');
    const stdout = [
      '@node', '/usr/bin/node', 'v18.20.4', '@systemd', 'yes', '@systemdversion', 'systemd 252 (252.39-1~deb12u2)',
      '@file /opt/lanmcp-hub/hub.mjs', 'aa', '644 root root',
      '@file /etc/lanmcp-hub/hub.json', 'bb', '600 root root',
      '@file /etc/systemd/system/lanmcp-hub.service',
      '@dir /etc/lanmcp-hub', '700 root root', '@dir /var/lib/lanmcp-hub',
      '@text /etc/systemd/system/lanmcp-hub.service',
      '@enabled', 'enabled', '@active', 'active', '@since', '42',
      '@receipt', receipt, '@leftovers', '/etc/lanmcp-hub/hub.json.lanmcp-prev', '@end', '',
    ].join('\n');
    expect(parseHubFacts(stdout)).toEqual({
      nodePath: '/usr/bin/node', nodeVersion: '18.20.4', systemd: true, systemdVersion: 252,
      files: { '/opt/lanmcp-hub/hub.mjs': { sha256: 'aa', mode: 0o644, owner: 'root', group: 'root' }, '/etc/lanmcp-hub/hub.json': { sha256: 'bb', mode: 0o600, owner: 'root', group: 'root' }, '/etc/systemd/system/lanmcp-hub.service': undefined },
      dirs: { '/etc/lanmcp-hub': { mode: 0o700, owner: 'root', group: 'root' }, '/var/lib/lanmcp-hub': undefined },
      service: { enabled: true, active: true, activeSince: '42' },
      receipt: { lanmcp_version: '0.1.0', files: { '/opt/lanmcp-hub/hub.mjs': 'aa' } },
      leftovers: ['/etc/lanmcp-hub/hub.json.lanmcp-prev'],
    });
    expect(() => parseHubFacts('@node\n')).toThrow(/incomplete/);
  });
});

describe('the hub facts script finds what an interrupted apply left', () => {
  it('rollback copies and killed putFile temp files in the hub\'s folders; in /etc/systemd/system only the hub unit\'s copy', () => {
    // The script's own leftover scan, run by sh over a copy of the device's folders in a temp dir.
    const root = mkdtempSync(join(tmpdir(), 'lanmcp-hubfacts-'));
    try {
      const files = ['opt/lanmcp-hub/hub.mjs', 'opt/lanmcp-hub/.lanmcp.Ab12Cd', 'etc/lanmcp-hub/hub.json', 'etc/lanmcp-hub/hub.json.lanmcp-prev', 'etc/lanmcp-hub/.lanmcp.Zz9Yy8',
        'etc/systemd/system/lanmcp-hub.service', 'etc/systemd/system/lanmcp-hub.service.lanmcp-prev', 'etc/systemd/system/.lanmcp.Qq1Ww2', 'etc/systemd/system/lanmcp-edge.service.lanmcp-prev'];
      for (const file of files) {
        mkdirSync(join(root, file, '..'), { recursive: true });
        writeFileSync(join(root, file), 'x');
      }
      const script = renderHubFactsScript().split('\n');
      const scan = script.slice(script.findIndex((l) => l.startsWith('echo @leftovers')), script.indexOf('echo @end')).join('\n');
      const rooted = scan.replace(/(?<=[ '|])\/(opt|etc)\//g, `${root}/$1/`);
      const found = execFileSync('sh', ['-c', rooted], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('/')).map((l) => l.slice(root.length));
      expect(found.sort()).toEqual(['/etc/lanmcp-hub/.lanmcp.Zz9Yy8', '/etc/lanmcp-hub/hub.json.lanmcp-prev', '/etc/systemd/system/lanmcp-hub.service.lanmcp-prev', '/opt/lanmcp-hub/.lanmcp.Ab12Cd']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the hub unit', () => {
  it('runs the bundle as a dynamic user that gets its root-only config as a credential, in a strict sandbox', () => {
    const unit = renderHubUnit(template, values);
    expect(unit).toContain('ExecStart=/usr/bin/node --max-semi-space-size=2 --max-old-space-size=192 /opt/lanmcp-hub/hub.mjs --config ${CREDENTIALS_DIRECTORY}/hub.json');
    expect(unit).toMatch(/^DynamicUser=yes$/m);
    expect(unit).toMatch(/^LoadCredential=hub\.json:\/etc\/lanmcp-hub\/hub\.json$/m);
    expect(unit).toMatch(/^StateDirectory=lanmcp-hub$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
    // It keeps retrying (a listen address that comes late at boot): no start limit, no burst to run out of.
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=0$/m);
    expect(unit).not.toMatch(/^StartLimitBurst=/m);
    expect(unit).not.toContain('{{');
  });

  it('refuses a value that would inject unit directives', () => {
    expect(() => renderHubUnit(template, { ...values, node_path: '/usr/bin/node\nExecStartPre=/bin/evil' })).toThrow(/node_path is invalid/);
    expect(() => renderHubUnit(`${template}{{nope}}`, values)).toThrow(/unknown placeholder/);
  });
});

describe('the hub URL clients and status use', () => {
  const gw = { kind: 'edge', name: 'gw', address: '10.0.0.2' } as Device;
  const base: ResolvedHub = { listen: '127.0.0.1:8765', listen_host: '127.0.0.1', listen_port: 8765, per_device_tools: false, audit_log: '/x' };

  it('hub.public_url first, then the hub host\'s address and port (https with hub.tls), then hub.listen here', () => {
    expect(planHubEndpoint({ ...base, host: 'gw', public_url: 'https://lan.example.com/mcp' }, [gw], 'box')).toEqual({ url: 'https://lan.example.com/mcp', base: 'https://lan.example.com', source: 'public_url' });
    expect(planHubEndpoint({ ...base, host: 'gw' }, [gw], 'box')).toEqual({ url: 'http://10.0.0.2:8765/mcp', base: 'http://10.0.0.2:8765', source: 'hub.host' });
    expect(planHubEndpoint({ ...base, host: 'gw', tls: { cert_file: '/c', key_file: '/k' } }, [gw], 'box').url).toBe('https://10.0.0.2:8765/mcp');
    expect(planHubEndpoint({ ...base, host: 'gw', listen: '10.9.9.9:9000', listen_host: '10.9.9.9', listen_port: 9000 }, [gw], 'box').url).toBe('http://10.9.9.9:9000/mcp');
    expect(planHubEndpoint({ ...base, listen_host: '0.0.0.0' }, [gw], 'box').url).toBe('http://box:8765/mcp');
    expect(planHubEndpoint(base, [gw], 'box').url).toBe('http://127.0.0.1:8765/mcp');
  });
});
