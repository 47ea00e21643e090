import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHostKey, entryMatchesName, preferredHostKeyAlgorithms } from '../../../src/remote/host-key-check.js';
import { fingerprintOf, formatKnownHostsLine, keyTypeOf, knownHostsName, parseKnownHosts } from '../../../src/remote/known-hosts.js';
import { appendKnownHostsLine, loadKnownHosts } from '../../../src/remote/known-hosts-store.js';

interface TestKey {
  line: string; // "type base64"
  blob: Buffer;
  sshKeygenFingerprint: string;
}

const dir = mkdtempSync(join(tmpdir(), 'lanmcp-known-hosts-'));
const keys: Record<string, TestKey> = {};

function makeKey(name: string, type: string): TestKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const sshKeygenFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { line, blob: Buffer.from(line.split(' ')[1]!, 'base64'), sshKeygenFingerprint };
}

beforeAll(() => {
  keys.ed = makeKey('ed', 'ed25519');
  keys.ed2 = makeKey('ed2', 'ed25519');
  keys.ecdsa = makeKey('ecdsa', 'ecdsa');
  keys.rsa = makeKey('rsa', 'rsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key blobs and fingerprints', () => {
  it('prints SHA256 fingerprints exactly as ssh-keygen -l does', () => {
    for (const key of Object.values(keys)) expect(fingerprintOf(key.blob)).toBe(key.sshKeygenFingerprint);
  });

  it('reads the key type from the blob', () => {
    expect(keyTypeOf(keys.ed!.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(keys.rsa!.blob)).toBe('ssh-rsa');
    expect(keyTypeOf(keys.ecdsa!.blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toBeUndefined();
  });

  it('names endpoints as known_hosts does', () => {
    expect(knownHostsName('Kitchen', 22)).toBe('kitchen');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
});

describe('parsing', () => {
  it('reads plain, bracketed, marked and commented lines, and reports bad ones with file:line', () => {
    const text = [
      '# a comment',
      `kitchen,10.0.0.21 ${keys.ed!.line} someone@laptop`,
      `[10.0.0.22]:2222 ${keys.rsa!.line}`,
      `@revoked * ${keys.ed2!.line}`,
      `@cert-authority *.lan ${keys.ecdsa!.line}`,
      '@bogus * ssh-ed25519 AAAA',
      'only-two-words ssh-ed25519',
      `mismatch ssh-rsa ${keys.ed!.line.split(' ')[1]}`,
      'bad ssh-ed25519 not*base64',
      '',
    ].join('\n');
    const { entries, diagnostics } = parseKnownHosts(text, '/kh');
    expect(entries.map((e) => [e.line, e.marker ?? '', e.patterns, e.keyType])).toEqual([
      [2, '', 'kitchen,10.0.0.21', 'ssh-ed25519'],
      [3, '', '[10.0.0.22]:2222', 'ssh-rsa'],
      [4, 'revoked', '*', 'ssh-ed25519'],
      [5, 'cert-authority', '*.lan', 'ecdsa-sha2-nistp256'],
    ]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([
      '/kh:6: unknown marker @bogus',
      '/kh:7: expected: [marker] hosts key-type base64-key [comment]',
      '/kh:8: the key says type ssh-ed25519 but the line says ssh-rsa',
      '/kh:9: the key of type ssh-ed25519 is not valid base64',
    ]);
  });

  it('matches hashed entries written by ssh-keygen -H, for port 22 and other ports', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `kitchen ${keys.ed!.line}\n[10.0.0.9]:2200 ${keys.rsa!.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const { entries, diagnostics } = loadKnownHosts([file]);
    expect(diagnostics).toEqual([]);
    expect(entries.every((e) => e.hashed !== undefined && e.patterns.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, 'kitchen', 22, keys.ed!.blob).status).toBe('known');
    expect(checkHostKey(entries, 'KITCHEN', 22, keys.ed!.blob).status).toBe('known');
    expect(checkHostKey(entries, 'kitchen', 2222, keys.ed!.blob).status).toBe('unknown');
    expect(checkHostKey(entries, '10.0.0.9', 2200, keys.rsa!.blob).status).toBe('known');
    expect(checkHostKey(entries, '10.0.0.9', 22, keys.rsa!.blob).status).toBe('unknown');
  });
});

describe('matching and verdicts', () => {
  const text = (): string => [
    `kitchen,10.0.0.21 ${keys.ed!.line}`,
    `10.0.0.* ${keys.ecdsa!.line}`,
    `garage,!10.0.0.66,10.0.0.6? ${keys.rsa!.line}`,
    `@revoked * ${keys.ed2!.line}`,
    `@cert-authority * ${keys.ed2!.line}`,
  ].join('\n');

  it('applies comma lists, globs and negation', () => {
    const { entries } = parseKnownHosts(text(), '/kh');
    const [plain, glob, negated] = entries;
    expect(entryMatchesName(plain!, '10.0.0.21')).toBe(true);
    expect(entryMatchesName(plain!, '10.0.0.211')).toBe(false);
    expect(entryMatchesName(glob!, '10.0.0.77')).toBe(true);
    expect(entryMatchesName(glob!, '[10.0.0.77]:2222')).toBe(false);
    expect(entryMatchesName(negated!, '10.0.0.65')).toBe(true);
    expect(entryMatchesName(negated!, '10.0.0.66')).toBe(false);
  });

  it('known, unknown, changed (same type and other type) and revoked', () => {
    const { entries } = parseKnownHosts(text(), '/kh');
    expect(checkHostKey(entries, 'kitchen', 22, keys.ed!.blob)).toMatchObject({ status: 'known', recorded: { file: '/kh', line: 1 } });
    expect(checkHostKey(entries, 'nas', 22, keys.ed!.blob)).toEqual({ status: 'unknown', fingerprint: keys.ed!.sshKeygenFingerprint, keyType: 'ssh-ed25519' });
    // 10.0.0.21 has an ed25519 key (line 1) and an ecdsa key (line 2, by glob): the presented ed25519 key
    // replaces line 1, so that one is listed first.
    const changed = checkHostKey(entries, '10.0.0.21', 22, Buffer.from(keys.rsa!.blob));
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && changed.recorded.map((r) => [r.line, r.keyType, r.fingerprint])).toEqual([
      [1, 'ssh-ed25519', keys.ed!.sshKeygenFingerprint],
      [2, 'ecdsa-sha2-nistp256', keys.ecdsa!.sshKeygenFingerprint],
    ]);
    const sameType = checkHostKey(parseKnownHosts(`kitchen ${keys.ed!.line}`, '/kh').entries, 'kitchen', 22, keys.ed2!.blob);
    expect(sameType).toMatchObject({ status: 'changed', fingerprint: keys.ed2!.sshKeygenFingerprint, recorded: [{ fingerprint: keys.ed!.sshKeygenFingerprint }] });
    expect(checkHostKey(entries, 'anything', 22, keys.ed2!.blob)).toMatchObject({ status: 'revoked', recorded: { line: 4 } });
  });

  it('a @cert-authority line never counts as a host key', () => {
    const { entries } = parseKnownHosts(`@cert-authority * ${keys.ed!.line}`, '/kh');
    expect(checkHostKey(entries, 'kitchen', 22, keys.ed!.blob).status).toBe('unknown');
  });

  it('offers the host key algorithms of recorded keys first', () => {
    const { entries } = parseKnownHosts(`kitchen ${keys.rsa!.line}\ngarage ${keys.ecdsa!.line}`, '/kh');
    expect(preferredHostKeyAlgorithms(entries, 'kitchen', 22).slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(entries, 'garage', 22)[0]).toBe('ecdsa-sha2-nistp256');
    expect(preferredHostKeyAlgorithms(entries, 'nas', 22)[0]).toBe('ssh-ed25519');
  });
});

describe('recording', () => {
  it('appends lines OpenSSH reads back, creating the file 0600 in a 0700 folder', () => {
    const file = join(dir, 'state', '.lanmcp', 'known_hosts');
    appendKnownHostsLine(file, formatKnownHostsLine('10.0.0.21', 22, keys.ed!.blob, 'lanmcp:kitchen pi'));
    appendKnownHostsLine(file, formatKnownHostsLine('10.0.0.22', 2222, keys.rsa!.blob, 'lanmcp:garage'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state', '.lanmcp')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(`10.0.0.21 ${keys.ed!.line} lanmcp:kitchen-pi\n[10.0.0.22]:2222 ${keys.rsa!.line} lanmcp:garage\n`);
    // ssh-keygen -F finds both, including the bracketed port form.
    expect(execFileSync('ssh-keygen', ['-F', '[10.0.0.22]:2222', '-f', file], { encoding: 'utf8' })).toContain(keys.rsa!.line);
    expect(checkHostKey(loadKnownHosts([file]).entries, '10.0.0.21', 22, keys.ed!.blob).status).toBe('known');
  });

  it('does not glue a new line onto a last line without its newline', () => {
    const file = join(dir, 'no-final-newline');
    writeFileSync(file, `kitchen ${keys.ed!.line}`);
    appendKnownHostsLine(file, formatKnownHostsLine('garage', 22, keys.rsa!.blob, 'x'));
    expect(parseKnownHosts(readFileSync(file, 'utf8'), file).entries.map((e) => e.patterns)).toEqual(['kitchen', 'garage']);
  });

  it('treats a missing file as empty, in order with the others', () => {
    const file = join(dir, 'one');
    writeFileSync(file, `kitchen ${keys.ed!.line}\n`);
    const { entries } = loadKnownHosts([join(dir, 'absent'), file]);
    expect(entries.map((e) => `${e.file}:${e.line}`)).toEqual([`${file}:1`]);
  });
});
