/**
 * Turning what ssh2 and sudo report into lanmcp's coded errors, pure. Each message names the device
 * and `user@host:port` (the label); each hint says what to do next; the original error is the cause.
 */
import type { HostKeyVerdict, RecordedKey } from './host-key-check.js';
import { LanmcpError } from '../shared/errors.js';

export interface ConnectFailureContext {
  /** `name (user@host:port)`. */
  label: string;
  host: string;
  port: number;
  user: string;
  timeoutS: number;
  /** Which keys were tried or skipped, from loadIdentities. */
  identityNotes: readonly string[];
}

const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is sshd running on that port?)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ECONNRESET: 'connection reset by the device',
  EPIPE: 'connection closed by the device',
  ENOTFOUND: 'host name does not resolve',
  EAI_AGAIN: 'host name lookup failed (temporary)',
};

/** Maps a failure of the SSH connect/handshake/authentication to E_SSH_UNREACHABLE or E_SSH_AUTH. */
export function connectFailure(error: unknown, ctx: ConnectFailureContext): LanmcpError {
  const err = error as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(error);
  if (/All configured authentication methods failed/i.test(message)) {
    return new LanmcpError('E_SSH_AUTH', `SSH authentication failed for ${ctx.label}`, {
      hint: `check that ~${ctx.user}/.ssh/authorized_keys on the device holds one of these keys: ${ctx.identityNotes.join('; ') || 'none'}`,
      cause: error,
    });
  }
  const known = typeof err?.code === 'string' ? UNREACHABLE_CODES[err.code] : undefined;
  const timedOut = err?.level === 'client-timeout' || /timed out/i.test(message);
  const reason = known ?? (timedOut ? `no SSH handshake within ${ctx.timeoutS} s` : `SSH connection failed: ${message}`);
  return new LanmcpError('E_SSH_UNREACHABLE', `${ctx.label} is unreachable: ${reason}`, {
    hint: `check that the device is on and its address is right, then try: ssh -p ${ctx.port} ${ctx.user}@${ctx.host} true`,
    cause: error,
  });
}

/** The error for a host key that is not trusted; undefined for a known key. */
export function hostKeyFailure(verdict: HostKeyVerdict, label: string, recordTo: string, skippedLines: readonly string[] = []): LanmcpError | undefined {
  const error = hostKeyError(verdict, label, recordTo);
  if (error === undefined || skippedLines.length === 0) return error;
  const note = `note: these known_hosts lines were skipped as malformed: ${skippedLines.join('; ')}`;
  return new LanmcpError(error.code, error.message, { hint: `${error.hint}\n${note}` });
}

function hostKeyError(verdict: HostKeyVerdict, label: string, recordTo: string): LanmcpError | undefined {
  const shown = `${verdict.keyType} ${verdict.fingerprint}`;
  switch (verdict.status) {
    case 'known':
      return undefined;
    case 'unknown':
      return new LanmcpError('E_SSH_HOSTKEY_UNKNOWN', `${label} presented a host key no known_hosts file lists: ${shown}`, {
        hint: `verify the fingerprint ${verdict.fingerprint} (on the device: ssh-keygen -lf /etc/ssh/ssh_host_${keyFileStem(verdict.keyType)}_key.pub) and rerun with --accept-new-host-keys; it will be recorded in ${recordTo}`,
      });
    case 'revoked':
      return new LanmcpError('E_SSH_HOSTKEY_CHANGED', `${label} presented a host key marked @revoked at ${where(verdict.recorded)}: ${shown}`, {
        hint: 'the device must get a new host key; a revoked key is never accepted',
      });
    case 'changed':
      return new LanmcpError(
        'E_SSH_HOSTKEY_CHANGED',
        `${label} presented host key ${shown}, but the recorded key is ${verdict.recorded.map((r) => `${r.keyType} ${r.fingerprint} (${where(r)})`).join(', ')}`,
        {
          hint: `if the device was reinstalled, verify the new fingerprint, delete ${verdict.recorded.map(where).join(' and ')}, and rerun with --accept-new-host-keys; otherwise the connection may be intercepted`,
        },
      );
  }
}

function where(r: RecordedKey): string {
  return `${r.file}:${r.line}`;
}

function keyFileStem(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ed25519';
  return keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType === 'ssh-rsa' ? 'rsa' : '*';
}

/** `become: sudo` on a device whose sudo wants a password. */
export function sudoPasswordFailure(label: string, user: string, stderr: string): LanmcpError {
  return new LanmcpError('E_SUDO_PASSWORD', `sudo on ${label} asked for a password (become: sudo runs sudo -n): ${stderr.trim()}`, {
    hint: `give ${user} passwordless sudo for lanmcp (NOPASSWD) or use become: none with user root; e.g. "${user} ALL=(ALL) NOPASSWD: ALL" in /etc/sudoers.d/lanmcp`,
  });
}

/** A remote command lanmcp itself ran (putFile, a timeout) failed. */
export function remoteCommandFailure(label: string, what: string, detail: string, cause?: unknown): LanmcpError {
  return new LanmcpError('E_REMOTE_COMMAND', `${what} failed on ${label}: ${detail}`, {
    hint: 'the message shows what the device reported; fix that on the device and rerun',
    ...(cause === undefined ? {} : { cause }),
  });
}
