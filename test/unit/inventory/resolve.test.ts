// Resolution precedence: defaults → groups (file order, later wins) → host; scalars replace, lists
// replace, each key resolves separately; paths against the inventory folder and home.
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/index.js';
import type { Device, EdgeDevice } from '../../../src/inventory/index.js';

function devices(yaml: string, options = { baseDir: '/inv', homeDir: '/home/me' }): Device[] {
  const result = parseInventory(yaml, 'inventory.yaml', options);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.devices!;
}

function edge(yaml: string, name: string): EdgeDevice {
  const device = devices(yaml).find((d) => d.name === name);
  if (device?.kind !== 'edge') throw new Error(`no edge device ${name}`);
  return device;
}

describe('resolution precedence', () => {
  const twoGroups = (order: 'ab' | 'ba') => `
version: 1
groups:
  ${order === 'ab' ? 'a: { hosts: [pi], ssh: { port: 2001 } }\n  b: { hosts: [pi], ssh: { port: 2002 } }' : 'b: { hosts: [pi], ssh: { port: 2002 } }\n  a: { hosts: [pi], ssh: { port: 2001 } }'}
hosts:
  pi: { address: 10.0.0.1 }
`;

  it('takes the later group in file order when groups disagree', () => {
    expect(edge(twoGroups('ab'), 'pi').ssh.port).toBe(2002);
    expect(edge(twoGroups('ba'), 'pi').ssh.port).toBe(2001);
    expect(edge(twoGroups('ba'), 'pi').groups).toEqual(['b', 'a']);
  });

  it('lets the host override its groups, and groups override defaults', () => {
    const yaml = `
version: 1
defaults: { ssh: { user: pi, port: 2000 }, edge: { port: 9000, run_as: nobody } }
groups: { g: { hosts: [x, y], ssh: { port: 2001 }, edge: { run_as: lanmcp } } }
hosts:
  x: { address: 10.0.0.1, ssh: { port: 2222 } }
  y: { address: 10.0.0.2 }
  z: { address: 10.0.0.3 }
`;
    expect([edge(yaml, 'x').ssh.port, edge(yaml, 'y').ssh.port, edge(yaml, 'z').ssh.port]).toEqual([2222, 2001, 2000]);
    expect([edge(yaml, 'x').edge.run_as, edge(yaml, 'z').edge.run_as]).toEqual(['lanmcp', 'nobody']);
    expect(edge(yaml, 'x').ssh.user).toBe('pi');
  });

  it('replaces lists as a whole and resolves each policy key on its own', () => {
    const yaml = `
version: 1
defaults: { edge: { policy: { tools: [run_command, logs], commands: { allow: [uptime], deny: [reboot] }, timeout_s: 10 } } }
hosts:
  pi: { address: 10.0.0.1, edge: { policy: { tools: [system_info], commands: { deny: [halt] } } } }
`;
    const policy = edge(yaml, 'pi').edge.policy;
    expect(policy.tools).toEqual(['system_info']);
    expect(policy.commands).toEqual({ allow: ['uptime'], deny: ['halt'] });
    expect(policy.timeout_s).toBe(10);
  });

  it('replaces policy.services as a whole, like the other lists', () => {
    const yaml = `version: 1
defaults: { edge: { run_as: lanmcp, policy: { services: [nginx.service, cron.service] } } }
groups: { web: { hosts: [pi], edge: { policy: { services: [caddy.service] } } } }
hosts:
  pi: { address: 10.0.0.1 }
  nas: { address: 10.0.0.2 }
`;
    expect(edge(yaml, 'pi').edge.policy.services).toEqual(['caddy.service']);
    expect(edge(yaml, 'nas').edge.policy.services).toEqual(['nginx.service', 'cron.service']);
    expect(edge(yaml, 'nas').edge.run_as).toBe('lanmcp');
  });

  it('fills every default', () => {
    const pi = edge('version: 1\nhosts:\n  pi: { address: 10.0.0.1 }\n', 'pi');
    expect(pi.ssh).toEqual({ user: 'root', port: 22, become: 'none', connect_timeout_s: 10 });
    expect(pi.edge).toEqual({
      port: 8766,
      run_as: 'root',
      tls: true,
      policy: {
        read_only: false,
        tools: ['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs'],
        commands: { allow: [], deny: [] },
        timeout_s: 60,
        max_output_bytes: 1048576,
        max_concurrent: 8,
        services: [],
        confirm: 'never',
      },
    });
    expect(pi.state).toBe('present');
    expect(pi.source).toEqual({ file: 'inventory.yaml', line: 3, column: 3 });
  });

  it('uses sudo for a non-root user unless become is set', () => {
    const yaml = 'version: 1\nhosts:\n  a: { address: 10.0.0.1, ssh: { user: pi } }\n  b: { address: 10.0.0.2, ssh: { user: pi, become: none } }\n';
    expect([edge(yaml, 'a').ssh.become, edge(yaml, 'b').ssh.become]).toEqual(['sudo', 'none']);
  });

  it('expands ~ and relative paths against the home and inventory folders, and leaves ~ without a home', () => {
    const yaml = 'version: 1\ndefaults: { ssh: { identity_file: ~/.ssh/k, known_hosts: kh } }\nhosts:\n  a: { address: 10.0.0.1 }\n';
    expect(edge(yaml, 'a').ssh).toMatchObject({ identity_file: '/home/me/.ssh/k', known_hosts: '/inv/kh' });
    const withoutHome = parseInventory(yaml, 'inventory.yaml', { baseDir: '/inv' }).devices![0] as EdgeDevice;
    expect(withoutHome.ssh.identity_file).toBe('~/.ssh/k');
  });

  it('gives kind: mcp hosts no ssh/edge settings even inside a group that has them', () => {
    const yaml = `
version: 1
groups: { all-things: { hosts: [ha, pi], ssh: { user: pi } } }
hosts:
  ha: { kind: mcp, url: "http://10.0.0.5:8123/api/mcp", auth: { bearer_env: HA_TOKEN }, tags: [home, home2] }
  pi: { address: 10.0.0.1 }
`;
    const [ha] = devices(yaml);
    expect(ha).toEqual({
      kind: 'mcp',
      name: 'ha',
      url: 'http://10.0.0.5:8123/api/mcp',
      tags: ['home', 'home2'],
      groups: ['all-things'],
      state: 'present',
      auth: { bearer_env: 'HA_TOKEN' },
      source: { file: 'inventory.yaml', line: 5, column: 3 },
    });
  });

  it('produces plain JSON data', () => {
    const list = devices('version: 1\nhosts:\n  pi: { address: 10.0.0.1, tags: [a] }\n');
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
  });
});
