import { LanmcpError } from '../shared/errors.js';

/** Flags shared by `diff` and `apply`. */
export const planFlags = {
  limit: { type: 'string' },
  forks: { type: 'string' },
  'accept-new-host-keys': { type: 'boolean' },
} as const;

export const DEFAULT_FORKS = 20;

export function parseForks(value: unknown): number {
  if (value === undefined) return DEFAULT_FORKS;
  const forks = Number(value);
  if (!Number.isInteger(forks) || forks < 1 || forks > 1000) {
    throw new LanmcpError('E_USAGE', `--forks must be a whole number from 1 to 1000, got "${String(value)}"`);
  }
  return forks;
}
