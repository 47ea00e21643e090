import type { IncomingMessage, RequestListener, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Device } from '../inventory/types.js';
import { answerClientError, LINGER_MS } from '../shared/http-client-error.js';
import { LANMCP_VERSION } from '../shared/version.js';
import { createAuditLog } from './audit.js';
import { createClientCheck, createGuard, type ClientAuth } from './auth.js';
import { checkHubTls, type HubTls } from './listener-tls.js';
import { createMetrics } from './metrics.js';
import { createMcpFastLane, type FastLane } from './mcp-fast-lane.js';
import { INVALID_JSON, registerMcpRoutes } from './mcp-route.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';
import { createHubRuntime, type HubRuntime } from './runtime.js';
import { createSessionRegistry, DEFAULT_SESSION_LIMITS, type SessionLimits, type SessionRegistry } from './sessions.js';
import { registerStatusPage, type StatusPageOptions } from './status-page/routes.js';
import { networkResources } from './tools/network-resources.js';
import type { UpstreamSpec, UpstreamTiming } from './upstreams/types.js';

export interface HubOptions {
  specs: UpstreamSpec[];
  devices?: Device[];
  groups?: Record<string, string[]>;
  perDeviceTools?: boolean;
  /** Verifies client bearer tokens (normally the `.lanmcp/clients.json` store). */
  auth: ClientAuth;
  /** Host/Origin names accepted (see planAllowedHosts). */
  allowedHosts: string[];
  /** Append-only JSON Lines audit file; undefined writes none. */
  auditLog?: string;
  /** Largest request body; 413 beyond. */
  bodyLimit?: number;
  rateLimit?: RateLimitOptions;
  sessions?: Partial<SessionLimits>;
  timing?: Partial<UpstreamTiming>;
  /** TEST ONLY (conformance suite): re-expose this upstream's tools, resources and prompts under unchanged names. */
  passthrough?: string;
  /** Called with audit-log write failures (the hub keeps serving). */
  onAuditError?: (error: unknown) => void;
  /** The browser status page at `GET /` (sign-in lifetime, refresh, clock for tests). */
  statusPage?: StatusPageOptions;
  /** Serve HTTPS with this certificate and key (PEM text; checked by checkHubTls); absent: plain HTTP. */
  tls?: HubTls;
}

export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** `fastLane.served`: requests the fast lane answered (mcp-fast-lane.ts), the rest went through Fastify. */
    hub: { runtime: HubRuntime; sessions: SessionRegistry; fastLane: FastLaneState };
  }
}

/**
 * The hub as a Fastify app that never listens (tests use inject(); startHub listens). Upstream health
 * checks start when the app is ready; closing the app closes sessions and upstream connections.
 */
/** Whether the fast lane takes requests (not once the hub is closing), and how many it answered. */
export interface FastLaneState { open: boolean; served: number }

/**
 * Puts the fast lane in front of Fastify's request listener on the server Fastify made. (Not through
 * Fastify's serverFactory: with one, Fastify binds a single address where `localhost` should give both
 * 127.0.0.1 and ::1.) A second server Fastify opens for another address of the same name keeps
 * Fastify's listener alone, which serves the same requests a little slower.
 */
function putInFront(server: HttpServer, lane: FastLane, state: FastLaneState): void {
  const [fastify, ...others] = server.listeners('request') as RequestListener[];
  if (!fastify || others.length > 0) throw new Error(`the hub expected one request listener on its server, found ${others.length + (fastify ? 1 : 0)}`);
  server.removeListener('request', fastify);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (state.open && lane(req, res)) state.served += 1;
    else fastify(req, res);
  });
}

export function buildHub(options: HubOptions): FastifyInstance {
  if (options.tls) checkHubTls(options.tls);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  // With TLS the server is an https.Server, which every route and hook here uses as an http.Server.
  const app = Fastify({
    logger: false, bodyLimit, forceCloseConnections: true,
    // A request node:http cannot parse gets its status and a lingering close (shared/http-client-error.ts).
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, { maxBytes: bodyLimit, maxMs: LINGER_MS }),
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  const metrics = createMetrics();
  const runtime = createHubRuntime({
    specs: options.specs, devices: options.devices ?? [], groups: options.groups ?? {}, perDeviceTools: options.perDeviceTools ?? false,
    ...(options.passthrough !== undefined ? { passthrough: options.passthrough } : {}), ...(options.timing ? { timing: options.timing } : {}),
    audit: createAuditLog(options.auditLog, options.onAuditError), metrics,
  });
  const sessions = createSessionRegistry(runtime, { ...DEFAULT_SESSION_LIMITS, ...options.sessions });
  const laneCount: FastLaneState = { open: true, served: 0 };
  app.decorate('hub', { runtime, sessions, fastLane: laneCount });

  // Only JSON bodies (415 otherwise); parse errors are answered by the route as JSON-RPC -32700.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, INVALID_JSON);
    }
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    void reply.code(status).type('application/json').send({ jsonrpc: '2.0', error: { code: -32000, message: error.message }, id: null });
  });

  const limiter = createRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const checkClient = createClientCheck(options.allowedHosts, options.auth, limiter);
  const guard = createGuard(checkClient);
  putInFront(app.server, createMcpFastLane(runtime, sessions, checkClient, bodyLimit), laneCount);
  // Once the hub starts closing, Fastify answers every request (503 and Connection: close).
  app.addHook('preClose', async () => { laneCount.open = false; });
  app.register(async (protectedRoutes) => {
    protectedRoutes.addHook('onRequest', guard);
    registerMcpRoutes(protectedRoutes, runtime, sessions);
    protectedRoutes.get('/metrics', async (_request, reply) => {
      const gauges = [...runtime.upstreams.values()].map((u) => ({ name: u.name, kind: u.kind, up: u.status().status === 'up', ...(u.status().latency_ms !== undefined ? { latencyMs: u.status().latency_ms } : {}) }));
      return reply.type('text/plain; version=0.0.4').send(metrics.render(gauges, sessions.size));
    });
  });
  // Outside the bearer-only scope: a browser without a token gets the sign-in page there.
  app.register(async (statusRoutes) => registerStatusPage(statusRoutes, {
    runtime, auth: options.auth, allowedHosts: options.allowedHosts, limiter, guard, version: LANMCP_VERSION,
    machineStatus: () => networkResources([...runtime.upstreams.values()], runtime.catalog()).structuredContent,
    ...(options.auditLog ? { auditLog: options.auditLog } : {}), ...(options.statusPage ? { options: options.statusPage } : {}),
  }));
  app.get('/healthz', async () => ({ ok: true, version: LANMCP_VERSION }));
  app.addHook('onReady', async () => { void runtime.start(); });
  app.addHook('onClose', async () => {
    await sessions.closeAll();
    await runtime.close();
    await runtime.audit.close();
  });
  return app;
}
