import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientAuth } from '../hub/auth.js';
import type { ServiceClientToken } from './service-config.js';

/**
 * Client tokens from the service config: the hub host has no `.lanmcp/clients.json`, only the hashes
 * `apply` copied there. Same contract as the local store (verify, and list for the status page's
 * revocation check); nothing is ever written back (no last_used on the device).
 */
export function createConfigClientAuth(tokens: readonly ServiceClientToken[]): ClientAuth & { list(): readonly ServiceClientToken[] } {
  const records = tokens.map((t) => ({ name: t.name, sha256: t.sha256, digest: Buffer.from(t.sha256, 'hex') }));
  return {
    verify(token: string): string | undefined {
      const presented = createHash('sha256').update(token).digest();
      let match: string | undefined;
      // Every record is compared, in constant time, so the answer's timing does not tell which one matched.
      for (const record of records) {
        if (record.digest.length === presented.length && timingSafeEqual(record.digest, presented) && match === undefined) match = record.name;
      }
      return match;
    },
    list: () => records.map(({ name, sha256 }) => ({ name, sha256 })),
  };
}
