// Browser sessions for the status page. The cookie holds only a random id; the server maps its hash to the
// client token's name and hash (never the token), with a fixed expiry. Revoking the token ends its sessions.
import { createHash, randomBytes } from 'node:crypto';

export interface LoginSession {
  tokenName: string;
  /** SHA-256 of the client token, to notice that it was revoked (or re-created under the same name). */
  tokenSha256: string;
  expiresAt: number;
}

export interface LoginSessionOptions {
  ttlMs: number;
  /** Oldest sessions go first beyond this many. */
  max: number;
  now?: () => number;
  /** Whether the token is still valid (false after `lanmcp token revoke`); undefined: sessions only expire. */
  stillValid?: (session: LoginSession) => boolean;
}

export const DEFAULT_LOGIN_TTL_MS = 12 * 60 * 60 * 1000;
export const DEFAULT_MAX_LOGIN_SESSIONS = 1000;

const keyOf = (id: string) => createHash('sha256').update(id).digest('hex');

/** In-memory session table: a restart signs everyone out, which is the safe direction. */
export function createLoginSessions(options: LoginSessionOptions) {
  const now = options.now ?? Date.now;
  // Keyed by the id's hash so a lookup's timing tells nothing about stored ids. Map order = creation order.
  const sessions = new Map<string, LoginSession>();

  function purgeExpired(): void {
    const t = now();
    for (const [key, session] of sessions) if (session.expiresAt <= t) sessions.delete(key);
  }

  return {
    /** Opens a session and returns its id (what the cookie carries) and expiry. */
    create(tokenName: string, tokenSha256: string): { id: string; expiresAt: number } {
      purgeExpired();
      while (sessions.size >= options.max) sessions.delete(sessions.keys().next().value!);
      const id = randomBytes(32).toString('base64url');
      const expiresAt = now() + options.ttlMs;
      sessions.set(keyOf(id), { tokenName, tokenSha256, expiresAt });
      return { id, expiresAt };
    },
    /** The live session for a cookie value; an expired or revoked one is dropped and undefined. */
    get(id: string | undefined): LoginSession | undefined {
      if (!id) return undefined;
      const key = keyOf(id);
      const session = sessions.get(key);
      if (!session) return undefined;
      if (session.expiresAt <= now() || (options.stillValid && !options.stillValid(session))) {
        sessions.delete(key);
        return undefined;
      }
      return session;
    },
    delete(id: string | undefined): void {
      if (id) sessions.delete(keyOf(id));
    },
    get size(): number {
      return sessions.size;
    },
  };
}

export type LoginSessions = ReturnType<typeof createLoginSessions>;
