/**
 * Reading ~/.ssh/config (I/O): the file, and the files its `Include` lines name. A missing config is
 * an empty one, as for ssh; an unreadable one is E_SSH_CONFIG.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { globMatches } from './host-key-check.js';
import { parseSshConfig, type SshConfigDirective } from './ssh-config.js';
import { LanmcpError } from '../shared/errors.js';

/** The user's ssh config path. */
export function defaultSshConfigFile(): string {
  return join(homedir(), '.ssh', 'config');
}

/**
 * Parsed directives of `file` (default ~/.ssh/config) with its Includes; [] when it does not exist.
 * A relative Include is relative to ~/.ssh, as in OpenSSH; in a config given explicitly (a project's
 * own file) it is relative to that file's folder, so the project's files travel together.
 */
export function loadSshConfig(file: string = defaultSshConfigFile()): SshConfigDirective[] {
  const text = readOptional(file);
  if (text === undefined) return [];
  const base = file === defaultSshConfigFile() ? join(homedir(), '.ssh') : dirname(file);
  return parseSshConfig(text, file, (pattern) => readIncluded(pattern, base));
}

function readIncluded(pattern: string, base: string): { file: string; text: string }[] {
  const expanded = pattern.startsWith('~/') ? join(homedir(), pattern.slice(2)) : pattern;
  const path = isAbsolute(expanded) ? expanded : join(base, expanded);
  return expandGlob(path).flatMap((file) => {
    const text = readOptional(file);
    return text === undefined ? [] : [{ file, text }];
  });
}

/** Globs in the last path component only (`config.d/*`), sorted as glob(3) sorts; a plain path as is. */
function expandGlob(path: string): string[] {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith('.') && globMatches(name, n)).sort().map((n) => join(dir, n));
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new LanmcpError('E_SSH_CONFIG', `cannot read ssh config ${file}: ${(error as Error).message}`, {
      hint: 'fix the file permissions, or point lanmcp at another config',
      cause: error,
    });
  }
}
