import { describe, expect, it } from 'vitest';
import { createEdgeTlsIdentity } from '../../../src/edge/tls-cert.js';
import { renderFactsScript } from '../../../src/facts/facts-script.js';
import { parseFacts } from '../../../src/facts/parse-facts.js';

const minimal = (tls: string[]) => ['@os', 'ID=debian', '@systemd', 'yes', ...tls, '@end', ''].join('\n');

describe('TLS facts', () => {
  it('reads the certificate (public) and computes its pin; key.pem is only stat-ed', () => {
    const identity = createEdgeTlsIdentity('pi');
    const facts = parseFacts(minimal(['@tlscert', Buffer.from(identity.certPem).toString('base64'), '@tlskey', '600 root root', '@tlsdir', '700 root root']));
    expect(facts.tls).toEqual({ cert: true, certPin: identity.spkiSha256, key: { mode: 0o600, owner: 'root', group: 'root' }, dir: { mode: 0o700, owner: 'root', group: 'root' } });
    expect(renderFactsScript()).not.toMatch(/base64[^\n]*key\.pem/);
    expect(renderFactsScript()).toMatch(/stat -c '%a %U %G' \/etc\/lanmcp-edge\/tls\/key\.pem/);
  });

  it('an unreadable certificate has no pin; no tls sections (an older lanmcp) is no tls facts', () => {
    expect(parseFacts(minimal(['@tlscert', Buffer.from('not a cert').toString('base64'), '@tlskey', '@tlsdir'])).tls).toEqual({ cert: true });
    expect(parseFacts(minimal(['@tlscert', '@tlskey', '@tlsdir'])).tls).toEqual({ cert: false });
    expect(parseFacts(minimal([])).tls).toBeUndefined();
  });
});
