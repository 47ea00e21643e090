import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import { renderFactsScript } from '../../../src/facts/facts-script.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const receipt = { lanmcp_version: '0.1.0', applied_at: '2026-11-26T00:00:00Z', files: { '/opt/lanmcp-edge/edge.mjs': 'a'.repeat(64) }, token_fingerprint: 'sha256:1234' };

const installed = [
  '@os', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'ID=debian', 'VERSION_ID="12"',
  '@arch', 'aarch64',
  '@node', '/usr/bin/node', 'v18.19.0',
  '@systemd', 'yes',
  '@file /opt/lanmcp-edge/edge.mjs', 'a'.repeat(64), '644',
  '@file /etc/lanmcp-edge/config.json', 'c'.repeat(64), '600',
  '@file /etc/systemd/system/lanmcp-edge.service',
  '@text /etc/lanmcp-edge/config.json', b64('{"name":"pi"}\n'),
  '@text /etc/systemd/system/lanmcp-edge.service',
  '@enabled', 'enabled', '@active', 'active', '@since', '98765',
  '@receipt', b64(JSON.stringify(receipt)),
  '@leftovers', '/etc/lanmcp-edge/config.json.lanmcp-prev',
  '@end', '',
].join('\n');

describe('parseFacts', () => {
  it('reads every section of an installed device', () => {
    const facts = parseFacts(installed);
    expect(facts.os).toEqual({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(facts.arch).toBe('aarch64');
    expect(facts).toMatchObject({ nodePath: '/usr/bin/node', nodeVersion: '18.19.0', systemd: true });
    expect(facts.files['/opt/lanmcp-edge/edge.mjs']).toEqual({ sha256: 'a'.repeat(64), mode: 0o644 });
    expect(facts.files['/etc/lanmcp-edge/config.json']).toEqual({ sha256: 'c'.repeat(64), mode: 0o600, text: '{"name":"pi"}\n' });
    expect(facts.files['/etc/systemd/system/lanmcp-edge.service']).toBeUndefined();
    expect(facts.service).toEqual({ enabled: true, active: true, activeSince: '98765' });
    expect(facts.receipt).toEqual(receipt);
    expect(facts.leftovers).toEqual(['/etc/lanmcp-edge/config.json.lanmcp-prev']);
  });

  it('reads a bare device: no node, nothing installed, service unknown', () => {
    const facts = parseFacts('@os\n@arch\nx86_64\n@node\n@systemd\nno\n@enabled\n@active\ninactive\n@since\n0\n@receipt\n@leftovers\n@end\n');
    expect(facts).toMatchObject({ nodeVersion: undefined, systemd: false, receipt: undefined, leftovers: [] });
    expect(facts.service).toEqual({ enabled: false, active: false });
    expect(facts.os.id).toBe('unknown');
  });

  it('treats a corrupt receipt as missing', () => {
    expect(parseFacts(`@receipt\n${b64('{not json')}\n@end\n`).receipt).toBeUndefined();
  });

  it('refuses truncated output', () => {
    expect(() => parseFacts('@os\nID=debian\n')).toThrow(/incomplete/);
  });

  it('the script is read-only: no writes, moves or service changes', () => {
    const script = renderFactsScript();
    expect(script).not.toMatch(/\b(rm|mv|cp|tee|chmod|chown|mkdir)\b|systemctl (start|stop|restart|enable|disable)|>\s*\/(?!dev\/null)/);
    expect(script.trimEnd().endsWith('echo @end')).toBe(true);
  });
});
