import type { Device } from '../inventory/types.js';
import { createTokenStore } from './token-store.js';

/** What the hub, `status` and `exec` need to reach one edge: its token (and, with TLS, its pinned key). */
export interface EdgeCredentials {
  token?: string;
  /** SHA-256 of the edge's TLS public key (SPKI), hex; undefined for a plain-HTTP edge or before apply. */
  pin?: string;
}

/** The stored credentials of every edge device among `devices`, read from `.lanmcp/` next to the inventory. */
export async function readEdgeCredentials(stateDir: string, devices: readonly Device[]): Promise<Map<string, EdgeCredentials>> {
  const tokens = createTokenStore(stateDir);
  const edges = devices.filter((d) => d.kind === 'edge');
  const entries = await Promise.all(edges.map(async (d): Promise<[string, EdgeCredentials]> => {
    const [token, pin] = await Promise.all([tokens.read(d.name), tokens.readPin(d.name)]);
    return [d.name, { ...(token ? { token } : {}), ...(pin ? { pin } : {}) }];
  }));
  return new Map(entries);
}
