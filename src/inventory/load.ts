// The inventory's one I/O step: read the file, then hand the bytes to the pure parser.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { parseInventory } from './parse.js';
import type { InventoryResult } from './types.js';

export interface LoadOptions {
  /** Folder a relative `file` is read from (default: the process's working directory). */
  cwd?: string;
  /** Home folder for `~` paths (default: the current user's). */
  homeDir?: string;
}

/**
 * Reads and parses `file`. Diagnostics name the file as given; paths inside resolve against its folder.
 * A missing or unreadable file throws E_INVENTORY_NOT_FOUND.
 */
export async function loadInventory(file: string, options: LoadOptions = {}): Promise<InventoryResult> {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolute);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : 'cannot be read';
    throw new LanmcpError('E_INVENTORY_NOT_FOUND', `inventory ${file} ${reason}`, {
      hint: code === 'ENOENT' ? 'create one with `lanmcp init`, or pass -i/--inventory FILE (or set LANMCP_INVENTORY)' : 'check the path and its permissions',
      cause,
    });
  }
  return parseInventory(bytes, file, { baseDir: dirname(absolute), homeDir: options.homeDir ?? homedir() });
}
