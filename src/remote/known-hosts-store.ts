/**
 * known_hosts files on disk (I/O): reading every file in order, and appending an accepted key to
 * lanmcp's own file (created 0600 in a 0700 folder, since it is a trust store).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseKnownHosts, type ParsedKnownHosts } from './known-hosts.js';
import { LanmcpError } from '../shared/errors.js';

/** Entries of all files, in the order given; a missing file counts as empty. */
export function loadKnownHosts(files: readonly string[]): ParsedKnownHosts {
  const all: ParsedKnownHosts = { entries: [], diagnostics: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new LanmcpError('E_SSH_CONFIG', `cannot read known_hosts file ${file}: ${(error as Error).message}`, {
        hint: 'fix its permissions, or remove it from the inventory (ssh.known_hosts)',
        cause: error,
      });
    }
    const parsed = parseKnownHosts(text, file);
    all.entries.push(...parsed.entries);
    all.diagnostics.push(...parsed.diagnostics);
  }
  return all;
}

/** Appends one line. One `appendFile` per key: O_APPEND keeps lines from parallel devices whole. */
export function appendKnownHostsLine(file: string, line: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${endsMidLine(file) ? '\n' : ''}${line}\n`, { mode: 0o600 });
  } catch (error) {
    throw new LanmcpError('E_SSH_CONFIG', `cannot record the host key in ${file}: ${(error as Error).message}`, {
      hint: 'check that the folder is writable',
      cause: error,
    });
  }
}

/** A hand-edited file may lack its final newline; the new line must not be glued to the last one. */
function endsMidLine(file: string): boolean {
  try {
    const text = readFileSync(file);
    return text.length > 0 && text[text.length - 1] !== 0x0a;
  } catch {
    return false;
  }
}
