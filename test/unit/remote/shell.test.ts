import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAtomicWriteScript, commandLine, execCommandLine, isSudoPasswordRefusal, octalMode, quote, shCommand } from '../../../src/remote/shell.js';

/** Runs a script with the machine's /bin/sh (dash on Debian, the same family as the devices' sh). */
function sh(script: string, stdin?: Uint8Array): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { input: stdin ?? '', encoding: 'buffer' });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const tricky = ['', 'plain', 'two words', "it's", `"double"`, '$(touch /tmp/lanmcp-pwned)', '`id`', '$HOME', 'a\nb', 'tab\there', '\\', "'", "''", '*', '-n', '~root', 'ünïcødé ✓', ';&|<>'];

describe('quote', () => {
  it.each(tricky)('sh reads %j back as the same single word', (arg) => {
    const r = sh(`printf '%s|' ${quote(arg)}`);
    expect(r.stdout).toBe(`${arg}|`);
  });

  it('leaves safe words bare and quotes the rest', () => {
    expect(quote('/etc/lanmcp-edge/config.json')).toBe('/etc/lanmcp-edge/config.json');
    expect(quote('a b')).toBe(`'a b'`);
    expect(quote("it's")).toBe(`'it'\\''s'`);
    expect(quote('')).toBe(`''`);
  });

  it('rejects NUL, which no shell argument can hold', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });

  it('commandLine keeps every word separate', () => {
    const r = sh(`set -- ${commandLine(['x y', "'", '$(id)'])}; printf '%s\\n' "$#" "$1" "$2" "$3"`);
    expect(r.stdout).toBe("3\nx y\n'\n$(id)\n");
    expect(() => commandLine([])).toThrow(/at least one/);
  });
});

describe('shCommand and sudo', () => {
  it('wraps a script for sh -c, and for sudo -n when becoming', () => {
    expect(shCommand('echo "$0"', false)).toBe(`sh -c 'echo "$0"'`);
    expect(shCommand('id -u', true)).toBe(`sudo -n -- sh -c 'id -u'`);
    expect(sh(shCommand('a=1; echo "$a $(echo nested)"', false)).stdout).toBe('1 nested\n');
  });

  it('execCommandLine sends plain commands as they are and wraps for sudo and time limits', () => {
    expect(execCommandLine('uptime', { sudo: false })).toBe('uptime');
    expect(execCommandLine('id -u', { sudo: true })).toBe(`sudo -n -- sh -c 'id -u'`);
    expect(execCommandLine('sleep 5', { sudo: false, timeoutMs: 1500 })).toBe(`timeout -k 2 1.5 sh -c 'sleep 5'`);
    expect(() => execCommandLine('x', { sudo: false, timeoutMs: 0 })).toThrow(/not a timeout/);
  });

  it('the time limit stops the command and everything it started', () => {
    const started = Date.now();
    const r = sh(execCommandLine('sleep 30 & sleep 30; echo not reached', { sudo: false, timeoutMs: 300 }));
    expect(r.code).toBe(124);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(spawnSync('pgrep', ['-f', '^sleep 30$']).status).toBe(1);
  });

  it('recognises what sudo -n prints instead of prompting', () => {
    expect(isSudoPasswordRefusal('sudo: a password is required\n')).toBe(true);
    expect(isSudoPasswordRefusal('sudo: a terminal is required to read the password; either use the -S option')).toBe(true);
    expect(isSudoPasswordRefusal('cat: /x: No such file or directory')).toBe(false);
    expect(isSudoPasswordRefusal('grep found: a password is required in the file')).toBe(false);
  });

  it('octalMode accepts permission bits only', () => {
    expect(octalMode(0o644)).toBe('0644');
    expect(octalMode(0o4755)).toBe('4755');
    expect(() => octalMode(0o10000)).toThrow(/not a file mode/);
    expect(() => octalMode(1.5)).toThrow(/not a file mode/);
  });
});

describe('buildAtomicWriteScript, run by the local sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-shell-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const leftovers = (d: string): string[] => readdirSync(d).filter((n) => n.startsWith('.lanmcp.'));

  it('writes binary content with the mode and owner asked for, replacing the old file', () => {
    const path = join(dir, "odd name's file.bin");
    writeFileSync(path, 'old');
    const content = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const r = sh(buildAtomicWriteScript({ path, mode: 0o640, size: content.length, ownerRoot: true }), content);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(statSync(path).mode & 0o7777).toBe(0o640);
    expect(statSync(path).uid).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a transfer cut short and leaves the target and no temp file behind', () => {
    const path = join(dir, 'short.txt');
    writeFileSync(path, 'keep me');
    const r = sh(buildAtomicWriteScript({ path, mode: 0o644, size: 100, ownerRoot: false }), Buffer.from('only 17 bytes ...'));
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('received 17 of 100 bytes');
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    expect(leftovers(dir)).toEqual([]);
  });

  it('names a missing directory and a target that is a directory', () => {
    const missing = sh(buildAtomicWriteScript({ path: join(dir, 'nope', 'f'), mode: 0o644, size: 0, ownerRoot: false }));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`directory ${join(dir, 'nope')} does not exist`);
    mkdirSync(join(dir, 'sub'));
    const isDir = sh(buildAtomicWriteScript({ path: join(dir, 'sub'), mode: 0o644, size: 0, ownerRoot: false }));
    expect(isDir.code).toBe(3);
    expect(isDir.stderr).toContain('is a directory');
    expect(leftovers(dir)).toEqual([]);
  });

  it('rejects relative paths and paths ending in a slash before anything runs', () => {
    expect(() => buildAtomicWriteScript({ path: 'etc/x', mode: 0o644, size: 0, ownerRoot: false })).toThrow(/absolute/);
    expect(() => buildAtomicWriteScript({ path: '/etc/x/', mode: 0o644, size: 0, ownerRoot: false })).toThrow(/cannot end/);
  });
});
