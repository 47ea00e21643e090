import { readFile } from 'node:fs/promises';
import { LanmcpError } from '../shared/errors.js';
import { parseEdgeConfig, type EdgeConfig } from './config.js';

/** Reads and parses the config file; every failure is one E_EDGE_CONFIG error naming the file. */
export async function loadEdgeConfig(path: string): Promise<EdgeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LanmcpError('E_EDGE_CONFIG', `cannot read ${path}${code ? ` (${code})` : ''}`, { cause, hint: 're-run `lanmcp apply` to write it' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LanmcpError('E_EDGE_CONFIG', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  try {
    return parseEdgeConfig(json);
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    throw new LanmcpError('E_EDGE_CONFIG', `${path}: ${(error as Error).message}`, { cause: error, ...(hint ? { hint } : {}) });
  }
}
