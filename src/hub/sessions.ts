import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { createSessionServer, directToolCall, type SessionState } from './mcp-server.js';
import type { HubRuntime, RuntimeEvent } from './runtime.js';
import { SessionTransport } from './session-transport.js';

export interface Session {
  id: string;
  server: Server;
  transport: SessionTransport;
  state: SessionState;
  lastSeen: number;
}

export interface SessionLimits {
  /** A session with no request and no open stream for this long is closed (its id then answers 404 and the client re-initializes). */
  idleMs: number;
  /** Beyond this many, the least recently used session is closed: memory stays bounded. */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, max: 1000 };

/** Open sessions, each with its own server; upstream events fan out to the sessions they concern. */
export function createSessionRegistry(runtime: HubRuntime, limits: SessionLimits) {
  const sessions = new Map<string, Session>();
  const sweeper = setInterval(() => sweep(), Math.max(1000, Math.min(limits.idleMs / 4, 60_000)));
  sweeper.unref();
  const unsubscribe = runtime.subscribe((event) => { for (const s of sessions.values()) void notify(s, event); });

  function sweep(): void {
    const now = performance.now();
    for (const s of sessions.values()) if (now - s.lastSeen > limits.idleMs && !s.transport.busy) void remove(s.id);
  }

  async function remove(id: string): Promise<boolean> {
    const session = sessions.get(id);
    if (!session) return false;
    sessions.delete(id);
    await session.server.close().catch(() => {});
    return true;
  }

  return {
    get size() { return sessions.size; },
    /** A new session for a client presenting `token`; connected but not yet initialized. */
    async create(token: string): Promise<Session> {
      if (sessions.size >= limits.max) {
        // The least recently used idle session goes first; a busy one only when all are busy (its calls are answered).
        const byAge = [...sessions.values()].sort((a, b) => a.lastSeen - b.lastSeen);
        const victim = byAge.find((s) => !s.transport.busy) ?? byAge[0];
        if (victim) await remove(victim.id);
      }
      const id = randomUUID();
      const state: SessionState = { token, subscriptions: new Set() };
      const server = createSessionServer(runtime, state);
      const transport = new SessionTransport(id, directToolCall(runtime, server, state));
      await server.connect(transport);
      const session = { id, server, transport, state, lastSeen: performance.now() };
      sessions.set(id, session);
      return session;
    },
    /** The session, if it exists and belongs to this token (another token's session id is as good as unknown). */
    get(id: string, token: string): Session | undefined {
      const session = sessions.get(id);
      if (!session || session.state.token !== token) return undefined;
      session.lastSeen = performance.now();
      return session;
    },
    remove,
    async closeAll(): Promise<void> {
      clearInterval(sweeper);
      unsubscribe();
      await Promise.all([...sessions.keys()].map(remove));
    },
  };
}

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;

async function notify(session: Session, event: RuntimeEvent): Promise<void> {
  const { server } = session;
  if (!session.transport.hasStandaloneStream) return;
  try {
    if (event.type === 'tools_changed') await server.sendToolListChanged();
    else if (event.type === 'list_changed') await (event.kind === 'resources' ? server.sendResourceListChanged() : server.sendPromptListChanged());
    else if (session.state.subscriptions.has(event.uri)) await server.sendResourceUpdated({ uri: event.uri });
  } catch {
    // A session whose stream just closed misses one notification; it re-lists on its next request.
  }
}
