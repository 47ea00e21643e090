import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSshConfig, splitConfigLine } from '../../../src/remote/ssh-config.js';
import { loadSshConfig } from '../../../src/remote/ssh-config-load.js';
import { parseJumpSpec, resolveSshHost } from '../../../src/remote/ssh-config-resolve.js';

const fixture = fileURLToPath(new URL('../../fixtures/remote/ssh_config', import.meta.url));
const ctx = { home: '/home/me', localUser: 'me' };
const directives = loadSshConfig(fixture);
const resolve = (host: string, given: { user?: string; port?: number } = {}) => resolveSshHost(directives, host, given, ctx);

/** What OpenSSH itself resolves (`ssh -G`), for the options lanmcp reads. */
function openssh(host: string, args: string[] = []): Record<string, string> {
  const out = execFileSync('ssh', ['-G', '-F', fixture, ...args, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const wanted = ['hostname', 'user', 'port', 'proxyjump'];
  return Object.fromEntries(out.split('\n').map((l) => l.split(' ')).filter(([k]) => wanted.includes(k!)).map(([k, ...v]) => [k, v.join(' ')]));
}

describe('ssh_config resolution agrees with ssh -G', () => {
  const cases: [string, { user?: string; port?: number }, string[]][] = [
    ['kitchen', {}, []],
    ['kitchen-2', {}, []],
    ['kitchen', { user: 'bob', port: 99 }, ['-l', 'bob', '-p', '99']],
    ['nas.lan', {}, []],
    ['printer.lan', {}, []],
    ['nas', {}, []],
    ['bastion', {}, []],
  ];
  it.each(cases)('%s %j', (host, given, args) => {
    const ours = resolve(host, given);
    const theirs = openssh(host, args);
    expect({
      hostname: ours.hostname ?? host,
      user: ours.user ?? 'fallback-never',
      port: String(ours.port ?? 22),
      ...(ours.proxyJump ? { proxyjump: `${ours.proxyJump.user}@${ours.proxyJump.host}:${ours.proxyJump.port}` } : {}),
    }).toEqual(theirs);
  });
});

describe('ssh_config resolution', () => {
  it('accumulates IdentityFiles in order and expands ~ and %-tokens', () => {
    expect(resolve('kitchen').identityFiles).toEqual(['/home/me/.ssh/kitchen_ed25519', '/home/me/.ssh/match_key', '/home/me/.ssh/id_me']);
    expect(resolve('nas.lan').identityFiles).toEqual(['/home/me/.ssh/lan key', '/home/me/.ssh/id_me']);
    expect(resolve('bastion').identityFiles).toEqual(['/home/me/.ssh/bastion_jump_10.0.0.1', '/home/me/.ssh/id_me']);
    expect(resolve('kitchen').identitiesOnly).toBe(true);
  });

  it('lets the caller (the inventory) win over User and Port, and re-evaluates Match user with it', () => {
    const r = resolve('kitchen', { user: 'bob', port: 99 });
    expect(r).toMatchObject({ hostname: '10.0.0.21', user: 'bob', port: 99 });
    expect(r.identityFiles).not.toContain('/home/me/.ssh/match_key');
  });

  it('skips Match blocks with criteria it cannot evaluate (exec)', () => {
    expect(resolve('anything').user).toBe('fallback');
  });

  it('follows Include relative to the given file, with globs', () => {
    expect(resolve('lab-3')).toMatchObject({ hostname: 'lab-3.lab.internal', user: 'root' });
    // config.d/20-bad.conf.disabled does not match *.conf: its bad Port for "never" is never read.
    expect(resolve('never').port).toBeUndefined();
  });

  it('parses ProxyJump and refuses ProxyCommand naming file:line', () => {
    expect(resolve('nas').proxyJump).toEqual({ user: 'jumper', host: 'bastion', port: 2022 });
    expect(() => resolve('legacy')).toThrow(expect.objectContaining({ code: 'E_SSH_CONFIG', message: expect.stringContaining(`${fixture}:20: ProxyCommand (for legacy) is not supported`) }));
  });

  it('is empty when the file does not exist', () => {
    expect(loadSshConfig('/nonexistent/ssh_config')).toEqual([]);
  });
});

describe('ssh_config lines and errors', () => {
  it('splits keyword, =, quotes and tabs', () => {
    expect(splitConfigLine('\tHostName\t10.0.0.1', 'f', 1)).toEqual(['HostName', '10.0.0.1']);
    expect(splitConfigLine('Port=2222', 'f', 1)).toEqual(['Port', '2222']);
    expect(splitConfigLine('IdentityFile = "~/My Keys/id" ', 'f', 1)).toEqual(['IdentityFile', '~/My Keys/id']);
    expect(splitConfigLine('  # comment', 'f', 1)).toEqual([]);
    expect(() => splitConfigLine('IdentityFile "unclosed', 'f', 3)).toThrow(/f:3: unbalanced double quote/);
  });

  it('names file:line for bad values', () => {
    const bad = parseSshConfig('Host x\n  Port notaport\n', '/cfg');
    expect(() => resolveSshHost(bad, 'x', {}, ctx)).toThrow(expect.objectContaining({ code: 'E_SSH_CONFIG', message: '/cfg:2: Port notaport is not a port number' }));
    expect(() => parseSshConfig('Host\n', '/cfg')).toThrow(/\/cfg:1: Host needs a value/);
    expect(() => parseSshConfig('Match host\n', '/cfg')).toThrow(/\/cfg:1: Match host needs an argument/);
    const token = parseSshConfig('IdentityFile ~/.ssh/%Z\n', '/cfg');
    expect(() => resolveSshHost(token, 'x', {}, ctx)).toThrow(/\/cfg:1: token %Z is not supported/);
  });

  it('stops an Include loop', () => {
    expect(() => parseSshConfig('Include self\n', '/cfg', () => [{ file: '/cfg', text: 'Include self\n' }])).toThrow(/Include nested more than 16 deep/);
  });

  it('applies an Include inside a Host block only to that host', () => {
    const d = parseSshConfig('Host a\n  Include extra\nHost *\n  User other\n', '/cfg', () => [{ file: '/extra', text: 'User from-include\n' }]);
    expect(resolveSshHost(d, 'a', {}, ctx).user).toBe('from-include');
    expect(resolveSshHost(d, 'b', {}, ctx).user).toBe('other');
  });
});

describe('ProxyJump specs', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['jump@10.0.0.1', { user: 'jump', host: '10.0.0.1' }],
    ['jump@10.0.0.1:2022', { user: 'jump', host: '10.0.0.1', port: 2022 }],
    ['ssh://jump@gw.lan:22', { user: 'jump', host: 'gw.lan', port: 22 }],
    ['[fe80::1]:2222', { host: 'fe80::1', port: 2222 }],
  ])('%s', (spec, expected) => expect(parseJumpSpec(spec)).toEqual(expected));

  it('refuses chains and junk', () => {
    expect(() => parseJumpSpec('a,b')).toThrow(expect.objectContaining({ code: 'E_SSH_CONFIG', message: expect.stringContaining('more than one hop') }));
    expect(() => parseJumpSpec('a b')).toThrow(/is not \[user@\]host\[:port\]/);
    expect(() => parseJumpSpec('h:70000')).toThrow(/bad port/);
  });
});
