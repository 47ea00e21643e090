// Behaviours of the checks that the fixture runner's (code, line, column) view does not show.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/shared/diagnostics.js';
import { looksLikeToken, parseInventory } from '../../../src/inventory/index.js';

describe('inventory checks', () => {
  it('never repeats a secret written inline', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.s3cr3tSignature';
    const yaml = `version: 1
defaults: { ssh: { password: hunter2-secret } }
hosts:
  ha: { kind: mcp, url: "http://10.0.0.5/mcp", auth: { bearer_env: ${token} }, headers_env: { X-Key: sk-live-abcdef0123456789xyz } }
  api: { kind: mcp, url: "http://10.0.0.6/mcp", auth: { token: ${token} } }
`;
    const { diagnostics } = parseInventory(yaml, 'inventory.yaml');
    const text = diagnostics.map(formatDiagnostic).join('\n');
    expect(diagnostics.filter((d) => d.code === 'rule/inline-secret')).toHaveLength(4);
    for (const secret of [token, 'hunter2-secret', 'sk-live-abcdef0123456789xyz']) expect(text).not.toContain(secret);
  });

  it('tells env var names from tokens', () => {
    expect(looksLikeToken('HA_TOKEN')).toBe(false);
    expect(looksLikeToken('ha_token')).toBe(false);
    expect(looksLikeToken('ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe(true);
    expect(looksLikeToken('a1b2c3d4e5f6a7b8c9d0e1f2')).toBe(true);
  });

  it('names both places of a duplicate address', () => {
    const { diagnostics } = parseInventory('version: 1\nhosts:\n  a: { address: 10.0.0.1 }\n  b: { address: 10.0.0.1 }\n', 'inv.yaml');
    expect(formatDiagnostic(diagnostics[0]!)).toMatch(
      /^inv\.yaml:4:17: error rule\/duplicate-address: address 10\.0\.0\.1 is also used by host "a" \(inv\.yaml:3:17\); both edges would listen on 10\.0\.0\.1:8766/,
    );
  });

  it('reports schema and rule problems together, in file order, and resolves nothing', () => {
    const yaml = `version: 1
hub: { listen: nowhere, host: ghost }
groups: { pis: { hosts: [pi, nope] } }
hosts:
  pi: { address: 10.0.0.1, ssh: { port: 0 } }
  pi2: { address: 10.0.0.1, colour: red }
`;
    const result = parseInventory(yaml, 'inventory.yaml');
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '2:16 schema/format',
      '2:31 rule/unknown-host',
      '3:30 rule/unknown-host',
      '5:41 schema/minimum',
      '6:19 rule/duplicate-address',
      '6:29 schema/unknown-key',
    ]);
    expect(result.devices).toBeUndefined();
    expect(result.inventory).toBeUndefined();
  });

  it('keeps the inventory but resolves no devices when only rules fail', () => {
    const result = parseInventory('version: 1\ngroups: { g: { hosts: [x] } }\nhosts: {}\n', 'inventory.yaml');
    expect(result.inventory).toBeDefined();
    expect(result.devices).toBeUndefined();
  });

  it('suggests the key a typo meant', () => {
    const [diagnostic] = parseInventory('version: 1\nhosts:\n  pi: { address: 10.0.0.1, descripton: x }\n', 'inventory.yaml').diagnostics;
    expect(diagnostic?.hint).toBe('did you mean "description"? allowed keys here: kind, address, description, tags, state, ssh, edge');
  });

  it('resolves with warnings only: tls: false is warned where written, TLS is the default', () => {
    const result = parseInventory('version: 1\nhosts:\n  pi: { address: 10.0.0.1, edge: { tls: false } }\n  pj: { address: 10.0.0.2 }\n', 'inventory.yaml');
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toEqual(['3:41 warning rule/plain-http']);
    expect(result.devices?.map((d) => d.kind === 'edge' && d.edge.tls)).toEqual([false, true]);
  });

  it('warns a hub.host without hub.tls (that hub listens on the LAN), not one with hub.tls', () => {
    const host = (hub: string) => parseInventory(`version: 1\nhub: ${hub}\nhosts:\n  gw: { address: 10.0.0.1 }\n`, 'inventory.yaml').diagnostics;
    expect(host('{ host: gw }').map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`))
      .toEqual(['2:14 warning rule/plain-http the hub on gw serves plain HTTP on the LAN: client tokens and every call\'s output cross it in clear text']);
    expect(host('{ host: gw, tls: { cert_file: hub.crt, key_file: hub.key } }')).toEqual([]);
  });

  it('reads UTF-8 with a byte order mark, and strings', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('version: 1\nhosts: {}\n')]);
    expect(parseInventory(bytes, 'inventory.yaml').diagnostics).toEqual([]);
    expect(parseInventory('\uFEFFversion: 1\nhosts: {}\n', 'inventory.yaml').diagnostics).toEqual([]);
  });

  it('stops a large alias bomb quickly', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`);
    const yaml = `version: 1\nhosts: {}\nl0: &l0 [lol]\n${levels.join('\n')}\n`;
    const { diagnostics } = parseInventory(yaml, 'inventory.yaml');
    expect(diagnostics.map((d) => d.code)).toEqual(['yaml/alias-limit']);
  });
});
