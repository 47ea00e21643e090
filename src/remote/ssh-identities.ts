/**
 * Which keys to offer (I/O: reads key files, checks the agent socket). Order: the inventory's
 * identity file, then ssh_config IdentityFiles, then ssh-agent, then — only when no file was named —
 * OpenSSH's default key files. Named files go first so agent keys cannot use up sshd's MaxAuthTries.
 * lanmcp never asks for passphrases: an encrypted key is skipped with a note (load it into ssh-agent).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';

export interface IdentityFile {
  path: string;
  key: Buffer;
}

export interface Identities {
  files: IdentityFile[];
  /** ssh-agent socket path, when one is usable. */
  agent?: string;
  /** What was tried or skipped, in words, for the hint of an authentication failure. */
  notes: string[];
}

export interface IdentitySources {
  /** From the inventory: must exist. */
  explicit?: string;
  /** From ssh_config: skipped when missing, as ssh does. */
  configured: readonly string[];
  identitiesOnly: boolean;
  home: string;
  agentSocket?: string;
}

const DEFAULT_KEY_FILES = ['id_ed25519', 'id_rsa', 'id_ecdsa'];

/** Reads the key files and finds the agent; throws E_SSH_CONFIG when the inventory's key is unreadable. */
export function loadIdentities(sources: IdentitySources): Identities {
  const notes: string[] = [];
  const files: IdentityFile[] = [];
  const add = (path: string, required: boolean): void => {
    const key = readKey(path, required, notes);
    if (key && !files.some((f) => f.path === path)) files.push({ path, key });
  };
  if (sources.explicit !== undefined) add(sources.explicit, true);
  for (const path of sources.configured) add(path, false);
  const agent = sources.identitiesOnly ? undefined : usableSocket(sources.agentSocket, notes);
  if (sources.explicit === undefined && sources.configured.length === 0) {
    for (const name of DEFAULT_KEY_FILES) add(join(sources.home, '.ssh', name), false);
  }
  if (files.length === 0 && agent === undefined) notes.push('no key file and no ssh-agent were found');
  return { files, notes, ...(agent === undefined ? {} : { agent }) };
}

function readKey(path: string, required: boolean, notes: string[]): Buffer | undefined {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (error) {
    if (required) {
      throw new LanmcpError('E_SSH_CONFIG', `cannot read the identity file ${path}: ${(error as Error).message}`, {
        hint: 'fix ssh.identity_file in the inventory, or remove it to use ssh-agent or ~/.ssh/id_ed25519',
        cause: error,
      });
    }
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`${path} is unreadable (${(error as Error).message})`);
    return undefined;
  }
  if (isEncryptedPrivateKey(key.toString('latin1'))) {
    notes.push(`${path} is passphrase-protected; lanmcp does not prompt — add it to ssh-agent (ssh-add ${path})`);
    return undefined;
  }
  notes.push(`tried ${path}`);
  return key;
}

function usableSocket(socket: string | undefined, notes: string[]): string | undefined {
  if (socket === undefined || socket === '') return undefined;
  try {
    if (statSync(socket).isSocket()) {
      notes.push(`tried the keys in ssh-agent (${socket})`);
      return socket;
    }
  } catch {
    // A stale SSH_AUTH_SOCK: ssh2 would fail the whole connection on it, so it is left out.
  }
  notes.push(`SSH_AUTH_SOCK=${socket} is not a live socket`);
  return undefined;
}

/** True for a PEM key with an ENCRYPTED header or an OpenSSH-format key whose cipher is not "none". */
export function isEncryptedPrivateKey(text: string): boolean {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (body === undefined) return false;
  const blob = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (blob.toString('latin1', 0, magic.length) !== magic || blob.length < magic.length + 4) return false;
  const length = blob.readUInt32BE(magic.length);
  return blob.toString('latin1', magic.length + 4, magic.length + 4 + length) !== 'none';
}
