import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEdgeUnit, type EdgeUnitValues } from '../../../src/plan/edge-unit.js';

const template = readFileSync(new URL('../../../templates/lanmcp-edge.service', import.meta.url), 'utf8');
const values: EdgeUnitValues = { device: 'kitchen-pi', version: '0.1.0', node_path: '/usr/bin/node', run_as: 'root', memory_max: '50%', tasks_max: 4096 };

/** Directive lines (`Key=value`), comments left out. */
const directives = (unit: string) => unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));

describe('renderEdgeUnit', () => {
  it('renders the shipped template: node with bounded V8 heap, the device layout, restart on failure', () => {
    const unit = renderEdgeUnit(template, values);
    expect(unit).not.toMatch(/\{\{/);
    expect(directives(unit)).toEqual(expect.arrayContaining([
      'User=root',
      'ExecStart=/usr/bin/node --max-semi-space-size=1 --max-old-space-size=96 --expose-gc /opt/lanmcp-edge/edge.mjs --config /etc/lanmcp-edge/config.json',
      'Restart=on-failure', 'KillMode=process', 'UMask=0022', 'MemoryMax=50%', 'TasksMax=4096',
      'SystemCallArchitectures=native', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET AF_BLUETOOTH',
      'WantedBy=multi-user.target',
    ]));
    expect(unit).toContain('Description=lanmcp edge: MCP server for kitchen-pi');
  });

  it('never sets the options that break administration (notes/security.md)', () => {
    for (const runAs of ['root', 'pi']) {
      const keys = directives(renderEdgeUnit(template, { ...values, run_as: runAs })).map((l) => l.split('=')[0]);
      for (const forbidden of ['NoNewPrivileges', 'ProtectSystem', 'MemoryDenyWriteExecute', 'SystemCallFilter', 'PrivateTmp', 'PrivateDevices', 'DynamicUser', 'RestrictSUIDSGID']) {
        expect(keys).not.toContain(forbidden);
      }
    }
  });

  it('leaves out seccomp-based hardening for a non-root user (it would imply NoNewPrivileges and break sudo)', () => {
    const keys = directives(renderEdgeUnit(template, { ...values, run_as: 'pi' })).map((l) => l.split('=')[0]);
    expect(keys).toContain('User');
    expect(keys).not.toContain('SystemCallArchitectures');
    expect(keys).not.toContain('RestrictAddressFamilies');
    expect(keys).not.toContain('LockPersonality');
  });

  it('takes optional heap size and paths', () => {
    const unit = renderEdgeUnit(template, { ...values, max_old_space_mb: 48, bundle_path: '/usr/local/lib/edge.mjs', config_path: '/etc/edge.json' });
    expect(unit).toContain('--max-old-space-size=48 --expose-gc /usr/local/lib/edge.mjs --config /etc/edge.json');
  });

  it('refuses values that would inject directives or break the unit, and unknown placeholders', () => {
    expect(() => renderEdgeUnit(template, { ...values, run_as: 'root\nExecStartPre=/bin/rm -rf /' })).toThrow(/unit value run_as is invalid/);
    expect(() => renderEdgeUnit(template, { ...values, node_path: 'node' })).toThrow(/unit value node_path is invalid/);
    expect(() => renderEdgeUnit(template, { ...values, memory_max: 'lots' })).toThrow(/unit value memory_max is invalid/);
    expect(() => renderEdgeUnit(`${template}\n{{surprise}}`, values)).toThrow('unit template has an unknown placeholder {{surprise}}');
  });
});
