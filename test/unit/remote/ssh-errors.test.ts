import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectFailure, hostKeyFailure } from '../../../src/remote/ssh-errors.js';
import { isEncryptedPrivateKey, loadIdentities } from '../../../src/remote/ssh-identities.js';

const ctx = { label: 'kitchen (pi@10.0.0.21:22)', host: '10.0.0.21', port: 22, user: 'pi', timeoutS: 5, identityNotes: ['tried /k/id_ed25519'] };

describe('connect failures', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 10.0.0.21:22'), { code: 'ECONNREFUSED' }), 'connection refused (is sshd running on that port?)'],
    [Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), 'no route to host'],
    [Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), 'no SSH handshake within 5 s'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND kitchen'), { code: 'ENOTFOUND' }), 'host name does not resolve'],
  ])('%s → E_SSH_UNREACHABLE', (error, reason) => {
    const mapped = connectFailure(error, ctx);
    expect(mapped).toMatchObject({ code: 'E_SSH_UNREACHABLE', message: `kitchen (pi@10.0.0.21:22) is unreachable: ${reason}`, cause: error });
    expect(mapped.hint).toContain('ssh -p 22 pi@10.0.0.21 true');
  });

  it('authentication failure → E_SSH_AUTH listing the keys tried', () => {
    const error = Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' });
    const mapped = connectFailure(error, ctx);
    expect(mapped).toMatchObject({ code: 'E_SSH_AUTH', message: 'SSH authentication failed for kitchen (pi@10.0.0.21:22)', cause: error });
    expect(mapped.hint).toContain('tried /k/id_ed25519');
  });
});

describe('host key failures', () => {
  const recorded = { fingerprint: 'SHA256:old', keyType: 'ssh-ed25519', file: '/home/me/.ssh/known_hosts', line: 7 };
  it('unknown: fingerprint and the flag to accept it', () => {
    const e = hostKeyFailure({ status: 'unknown', fingerprint: 'SHA256:new', keyType: 'ssh-ed25519' }, ctx.label, '.lanmcp/known_hosts')!;
    expect(e.code).toBe('E_SSH_HOSTKEY_UNKNOWN');
    expect(e.hint).toContain('verify the fingerprint SHA256:new');
    expect(e.hint).toContain('rerun with --accept-new-host-keys');
    expect(e.hint).toContain('ssh_host_ed25519_key.pub');
  });
  it('changed: both fingerprints and the old file:line', () => {
    const e = hostKeyFailure({ status: 'changed', fingerprint: 'SHA256:new', keyType: 'ssh-ed25519', recorded: [recorded] }, ctx.label, '.lanmcp/known_hosts')!;
    expect(e.code).toBe('E_SSH_HOSTKEY_CHANGED');
    expect(e.message).toBe('kitchen (pi@10.0.0.21:22) presented host key ssh-ed25519 SHA256:new, but the recorded key is ssh-ed25519 SHA256:old (/home/me/.ssh/known_hosts:7)');
    expect(e.hint).toContain('delete /home/me/.ssh/known_hosts:7');
  });
  it('names malformed known_hosts lines in the hint, since a typo in a pin looks like an unknown key', () => {
    const e = hostKeyFailure({ status: 'unknown', fingerprint: 'SHA256:new', keyType: 'ssh-ed25519' }, ctx.label, 'x', ['/pins:3: the key of type ssh-ed25519 is not valid base64'])!;
    expect(e.code).toBe('E_SSH_HOSTKEY_UNKNOWN');
    expect(e.hint).toContain('--accept-new-host-keys');
    expect(e.hint).toContain('note: these known_hosts lines were skipped as malformed: /pins:3: the key of type ssh-ed25519 is not valid base64');
  });

  it('revoked and known', () => {
    expect(hostKeyFailure({ status: 'revoked', fingerprint: 'SHA256:r', keyType: 'ssh-rsa', recorded }, ctx.label, 'x')!.code).toBe('E_SSH_HOSTKEY_CHANGED');
    expect(hostKeyFailure({ status: 'known', fingerprint: 'SHA256:k', keyType: 'ssh-rsa', recorded }, ctx.label, 'x')).toBeUndefined();
  });
});

describe('identities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-ids-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keygen = (name: string, ...args: string[]) => execFileSync('ssh-keygen', ['-q', '-N', '', '-f', join(dir, name), ...args]);

  it('tells encrypted keys (OpenSSH and PEM) from plain ones', () => {
    keygen('plain', '-t', 'ed25519');
    keygen('enc', '-t', 'ed25519', '-N', 'secret');
    keygen('pem', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'secret');
    expect(isEncryptedPrivateKey(readFileSync(join(dir, 'plain'), 'utf8'))).toBe(false);
    expect(isEncryptedPrivateKey(readFileSync(join(dir, 'enc'), 'utf8'))).toBe(true);
    expect(isEncryptedPrivateKey(readFileSync(join(dir, 'pem'), 'utf8'))).toBe(true);
  });

  it('orders the inventory key first, skips missing config keys, notes encrypted ones, ignores a stale agent socket', () => {
    writeFileSync(join(dir, 'not-a-socket'), '');
    const ids = loadIdentities({ explicit: join(dir, 'plain'), configured: [join(dir, 'absent'), join(dir, 'enc')], identitiesOnly: false, home: dir, agentSocket: join(dir, 'not-a-socket') });
    expect(ids.files.map((f) => f.path)).toEqual([join(dir, 'plain')]);
    expect(ids.agent).toBeUndefined();
    expect(ids.notes.join('\n')).toMatch(/enc is passphrase-protected.*ssh-add/);
    expect(ids.notes.join('\n')).toContain('is not a live socket');
  });

  it('falls back to ~/.ssh default keys only when no key file is named', () => {
    execFileSync('mkdir', ['-p', join(dir, '.ssh')]);
    keygen('.ssh/id_rsa', '-t', 'rsa', '-b', '2048');
    expect(loadIdentities({ configured: [], identitiesOnly: false, home: dir }).files.map((f) => f.path)).toEqual([join(dir, '.ssh', 'id_rsa')]);
    expect(loadIdentities({ configured: [join(dir, 'plain')], identitiesOnly: false, home: dir }).files.map((f) => f.path)).toEqual([join(dir, 'plain')]);
  });

  it('fails clearly when the inventory names a key that cannot be read', () => {
    expect(() => loadIdentities({ explicit: join(dir, 'nope'), configured: [], identitiesOnly: false, home: dir })).toThrow(
      expect.objectContaining({ code: 'E_SSH_CONFIG', message: expect.stringContaining(`cannot read the identity file ${join(dir, 'nope')}`) }),
    );
  });
});
