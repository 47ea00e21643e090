import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTED_PATHS } from '../../../src/edge/config.js';
import { decideCommandText, decideWrite, protectedEntry, resolveWriteTargets } from '../../../src/edge/protected-paths.js';
import { createFakeSystem } from './fake-system.js';

describe('protected paths', () => {
  const system = createFakeSystem({
    '/etc/lanmcp-edge/config.json': '{}',
    '/opt/lanmcp-edge/edge.mjs': '',
    '/home/pi/notes.txt': 'hi',
    '/home/pi/cfg': { type: 'symlink', target: '/etc/lanmcp-edge' },
    '/home/pi/bundle': { type: 'symlink', target: '/opt/lanmcp-edge/edge.mjs' },
  });

  it('matches the entry itself and paths under it, not look-alikes', () => {
    expect(protectedEntry('/etc/lanmcp-edge/config.json', DEFAULT_PROTECTED_PATHS)).toBe('/etc/lanmcp-edge');
    expect(protectedEntry('/etc/lanmcp-edge', DEFAULT_PROTECTED_PATHS)).toBe('/etc/lanmcp-edge');
    expect(protectedEntry('/etc/lanmcp-edge2/x', DEFAULT_PROTECTED_PATHS)).toBeUndefined();
  });

  it('resolves .. and symlinked ancestors and link targets before checking', async () => {
    expect(await resolveWriteTargets(system, '/home/pi/../../etc/lanmcp-edge/x')).toEqual(['/etc/lanmcp-edge/x']);
    expect(await resolveWriteTargets(system, '/home/pi/cfg/config.json')).toEqual(['/home/pi/cfg/config.json', '/etc/lanmcp-edge/config.json']);
    expect(await resolveWriteTargets(system, '/home/pi/bundle')).toContain('/opt/lanmcp-edge/edge.mjs');
    for (const path of ['/home/pi/cfg/config.json', '/home/pi/bundle', '/etc/systemd/system/lanmcp-edge.service']) {
      expect(await decideWrite(system, path, DEFAULT_PROTECTED_PATHS)).toMatchObject({ allowed: false, rule: 'protected_paths' });
    }
    expect(await decideWrite(system, '/home/pi/notes.txt', DEFAULT_PROTECTED_PATHS)).toEqual({ allowed: true });
    expect(await decideWrite(system, '/home/pi/new/dir/file', DEFAULT_PROTECTED_PATHS)).toEqual({ allowed: true });
  });

  it('refuses . and .. segments, which the kernel applies after following symlinks', async () => {
    for (const path of ['/home/pi/../../etc/lanmcp-edge/x', '/home/pi/cfg/../notes.txt', '/home/pi/./notes.txt']) {
      expect(await decideWrite(system, path, DEFAULT_PROTECTED_PATHS)).toMatchObject({ allowed: false, rule: 'protected_paths', reason: expect.stringContaining('"." or ".." segments') });
    }
    expect(await decideWrite(system, '/home/pi/..notes', DEFAULT_PROTECTED_PATHS)).toEqual({ allowed: true });
  });

  it('guards run_command words that name a protected path', () => {
    expect(decideCommandText(['rm', '-f', '/etc/lanmcp-edge/config.json'], DEFAULT_PROTECTED_PATHS)).toMatchObject({ allowed: false, rule: 'protected_paths' });
    expect(decideCommandText(['systemctl status lanmcp-edge'], DEFAULT_PROTECTED_PATHS)).toEqual({ allowed: true });
  });
});
