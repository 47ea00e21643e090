import { describe, expect, it } from 'vitest';
import { decideCommand, matchPattern, splitShell } from '../../../src/edge/policy.js';
import { testConfig } from './test-config.js';

const policy = (p: Parameters<typeof testConfig>[0]) => testConfig(p).policy;

describe('matchPattern', () => {
  it('matches argv[0] by basename and arguments word by word, with globs and trailing words allowed', () => {
    expect(matchPattern('systemctl status *', ['/usr/bin/systemctl', 'status', 'ssh'])).toBe(true);
    expect(matchPattern('systemctl status', ['systemctl', 'status', 'ssh', '--no-pager'])).toBe(true);
    expect(matchPattern('systemctl status', ['systemctl', 'restart', 'ssh'])).toBe(false);
    expect(matchPattern('apt-get install nginx-*', ['apt-get', 'install', 'nginx-light'])).toBe(true);
    expect(matchPattern('uptime', ['uptimex'])).toBe(false);
  });

  it('anchors with a trailing $', () => {
    expect(matchPattern('reboot $', ['reboot'])).toBe(true);
    expect(matchPattern('reboot $', ['reboot', 'now'])).toBe(false);
  });
});

describe('splitShell', () => {
  it('splits at ; && || | & and newlines, drops quotes and leading assignments', () => {
    expect(splitShell("LANG=C ls -l /tmp && cat 'a b' | grep x; echo done\nrm -rf /")).toEqual([
      ['ls', '-l', '/tmp'], ['cat', 'a', 'b'], ['grep', 'x'], ['echo', 'done'], ['rm', '-rf', '/'],
    ]);
  });
});

describe('splitShell redirections', () => {
  it('does not split at the & of 2>&1 or &>', () => {
    expect(splitShell('make 2>&1 | tail -5; sleep 1 & echo &>/dev/null hi')).toEqual([['make', '2>&1'], ['tail', '-5'], ['sleep', '1'], ['echo', '&>/dev/null', 'hi']]);
  });
});

describe('decideCommand', () => {
  it('allows anything without allow/deny lists', () => {
    expect(decideCommand(policy({}), { shell: 'rm -rf /tmp/x' })).toEqual({ allowed: true });
  });

  it('lets deny win over allow, in argv and in any shell segment', () => {
    const p = policy({ commands: { allow: ['rm *'], deny: ['rm -rf /'] } });
    expect(decideCommand(p, { argv: ['/bin/rm', '-rf', '/'] })).toEqual({ allowed: false, rule: 'policy.commands.deny', reason: 'matches the deny pattern "rm -rf /"' });
    expect(decideCommand(p, { shell: 'echo hi; rm -rf /' })).toMatchObject({ allowed: false, rule: 'policy.commands.deny' });
  });

  it('refuses what no allow pattern matches, naming the command', () => {
    const p = policy({ commands: { allow: ['uptime', 'systemctl status *'], deny: [] } });
    expect(decideCommand(p, { argv: ['uptime'] })).toEqual({ allowed: true });
    expect(decideCommand(p, { shell: 'uptime && systemctl status ssh' })).toEqual({ allowed: true });
    expect(decideCommand(p, { shell: 'uptime; reboot' })).toEqual({ allowed: false, rule: 'policy.commands.allow', reason: '"reboot" matches no commands.allow pattern' });
  });

  it('refuses shell substitution when an allow list must be checked', () => {
    const p = policy({ commands: { allow: ['echo *'], deny: [] } });
    for (const shell of ['echo $(reboot)', 'echo `reboot`', 'echo ${PATH}', 'echo <(reboot)']) {
      expect(decideCommand(p, { shell })).toMatchObject({ allowed: false, rule: 'policy.commands.allow' });
    }
  });

  it('read_only: run_command is refused unless an allow list matches; redirection is refused', () => {
    expect(decideCommand(policy({ read_only: true }), { argv: ['uptime'] })).toMatchObject({ allowed: false, rule: 'policy.read_only' });
    const p = policy({ read_only: true, commands: { allow: ['uptime', 'echo *'], deny: [] } });
    expect(decideCommand(p, { argv: ['uptime'] })).toEqual({ allowed: true });
    expect(decideCommand(p, { argv: ['reboot'] })).toMatchObject({ allowed: false, rule: 'policy.read_only' });
    expect(decideCommand(p, { shell: 'echo x > /etc/motd' })).toEqual({ allowed: false, rule: 'policy.read_only', reason: 'output redirection writes files on a read-only device' });
    expect(decideCommand(p, { shell: 'echo x >> /etc/motd' })).toMatchObject({ allowed: false, rule: 'policy.read_only' });
    expect(decideCommand(p, { shell: 'uptime 2>&1 >/dev/null' })).toEqual({ allowed: true });
  });
});
