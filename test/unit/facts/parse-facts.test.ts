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
  '@file /opt/lanmcp-edge/edge.mjs', 'a'.repeat(64), '644 root root',
  '@file /etc/lanmcp-edge/config.json', 'c'.repeat(64), '640 root lanmcp',
  '@file /etc/systemd/system/lanmcp-edge.service',
  '@file /etc/polkit-1/rules.d/50-lanmcp-edge.rules', 'd'.repeat(64), '644 root root',
  '@configdir', '750 root lanmcp',
  '@passwd', 'root:0:0', 'daemon:1:1', 'lanmcp:998:997', 'pi:1000:1000', 'ghost:1001:4242',
  '@group', 'root:0:', 'daemon:1:', 'adm:4:pi', 'systemd-journal:999:lanmcp,pi', 'lanmcp:997:', 'pi:1000:', 'sudo:27:pi',
  '@polkit', 'yes',
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
    expect(facts.files['/opt/lanmcp-edge/edge.mjs']).toEqual({ sha256: 'a'.repeat(64), mode: 0o644, owner: 'root', group: 'root' });
    expect(facts.files['/etc/lanmcp-edge/config.json']).toEqual({ sha256: 'c'.repeat(64), mode: 0o640, owner: 'root', group: 'lanmcp', text: '{"name":"pi"}\n' });
    expect(facts.files['/etc/polkit-1/rules.d/50-lanmcp-edge.rules']).toMatchObject({ sha256: 'd'.repeat(64), mode: 0o644 });
    expect(facts.configDir).toEqual({ mode: 0o750, owner: 'root', group: 'lanmcp' });
    expect(facts.polkit).toBe(true);
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

  it('reads accounts: each user with its primary group first, then the groups listing it; a gid without a name stays a number', () => {
    const { accounts } = parseFacts(installed);
    expect(accounts.users.lanmcp).toEqual({ uid: 998, group: 'lanmcp', groups: ['lanmcp', 'systemd-journal'] });
    expect(accounts.users.pi).toEqual({ uid: 1000, group: 'pi', groups: ['pi', 'adm', 'systemd-journal', 'sudo'] });
    expect(accounts.users.ghost).toEqual({ uid: 1001, group: '4242', groups: ['4242'] });
    expect(accounts.groups).toEqual(['root', 'daemon', 'adm', 'systemd-journal', 'lanmcp', 'pi', 'sudo']);
  });

  it('reads a device without polkit, accounts or the config folder', () => {
    const facts = parseFacts('@configdir\n@passwd\n@group\n@polkit\nno\n@end\n');
    expect(facts).toMatchObject({ polkit: false, accounts: { users: {}, groups: [] } });
    expect(facts.configDir).toBeUndefined();
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
