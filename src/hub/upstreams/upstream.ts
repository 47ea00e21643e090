import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, LATEST_PROTOCOL_VERSION, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { closePooledClient, connectPooledClient, type CallForwarder, type PoolHooks, type PooledClient } from './client-pool.js';
import { UpstreamFailure, classifyUpstreamError, describeNetworkError } from './errors.js';
import { createAgentFetch } from './agent-fetch.js';
import { createEdgeLink } from './edge-link.js';
import { ConnectionLostError, HttpStatusError, leanCallTool, type LeanTarget, type ProgressParams } from './lean-call.js';
import { checkHealth } from './health.js';
import { PinMismatchError } from './pinned-agent.js';
import { backoffDelay, createLimiter } from './limiter.js';
import type { UpstreamSpec, UpstreamStatus, UpstreamTiming } from './types.js';
import type { CallSignal } from '../call-signal.js';

export interface ToolCallOptions {
  signal?: CallSignal;
  forward?: CallForwarder;
  /** Given: the upstream is asked for progress, and the per-call timeout restarts on each report. */
  onprogress?: (progress: ProgressParams) => void;
}

/**
 * One upstream (an edge or a `kind: mcp` server): a small pool of keep-alive MCP client sessions (one call
 * each at a time, at most `maxConcurrent`), a health check on a timer, and reconnection with exponential
 * backoff that never gives up. Calls to a down upstream fail fast with the reason instead of hanging.
 * Tool calls to an edge skip the SDK client: one POST each on the edge link's keep-alive connections
 * (lean-call.ts, edge-link.ts).
 */
export function createUpstream(spec: UpstreamSpec, timing: UpstreamTiming, hooks: PoolHooks = {}) {
  const limiter = createLimiter(spec.maxConcurrent);
  const net = createAgentFetch(spec.pin);
  // Our edges (pinned HTTPS, or plain HTTP with `edge.tls: false`) get the lean call path; an https edge
  // without a pin never gets a call (its spec carries missingCredential).
  const url = new URL(spec.url);
  const link = spec.kind === 'edge' && (url.protocol === 'https:') === Boolean(spec.pin) ? createEdgeLink({ url, pin: spec.pin }) : undefined;
  const lean: LeanTarget | undefined = link ? { headers: spec.headers, protocolVersion: LATEST_PROTOCOL_VERSION, link } : undefined;
  // Call ids unique across this hub's calls to the edge (and unlikely to meet another hub's there): the
  // edge cancels every running call with the id a `notifications/cancelled` names.
  const callIdPrefix = `h${randomBytes(4).toString('hex')}-`;
  let callCount = 0;
  const idle: PooledClient[] = [];
  const state: UpstreamStatus = { name: spec.name, kind: spec.kind, status: 'unknown', in_flight: 0, queued: 0 };
  // When a call last succeeded (epoch ms), turned into state.last_seen only when the status is read.
  let answeredAt: number | undefined;
  let toolsAt = 0;
  let tools: Tool[] = [];
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let closed = false;

  function schedule(delayMs: number): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), delayMs);
    timer.unref();
  }

  function markUp(latencyMs: number, version: string | undefined): void {
    if (state.status !== 'up') state.since = new Date().toISOString();
    Object.assign(state, { status: 'up', last_seen: new Date().toISOString(), latency_ms: latencyMs, error: undefined });
    if (version) state.version = version;
    attempt = 0;
  }

  function markDown(reason: string): void {
    if (state.status !== 'down') {
      state.since = new Date().toISOString();
      attempt = 0;
      schedule(backoffDelay(0, timing.backoffInitialMs, timing.backoffMaxMs));
    }
    Object.assign(state, { status: 'down', error: reason });
    for (const pooled of idle.splice(0)) void closePooledClient(pooled);
  }

  /** One health check; its outcome decides when the next one runs. */
  function check(): Promise<void> {
    checking ??= (async () => {
      try {
        const { latencyMs, version } = await probe();
        markUp(latencyMs, version);
        schedule(timing.healthIntervalMs);
      } catch (error) {
        markDown(error instanceof UpstreamFailure ? error.reason.replace(/ \(since [^)]*\)$/, '') : describeNetworkError(error));
        schedule(backoffDelay(attempt++, timing.backoffInitialMs, timing.backoffMaxMs));
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  }

  async function probe(): Promise<{ latencyMs: number; version?: string }> {
    if (spec.missingCredential) throw new UpstreamFailure(spec.name, 'auth', spec.missingCredential);
    if (spec.healthUrl) return checkHealth(spec.healthUrl, timing.connectTimeoutMs, net.fetch);
    const pooled = idle.pop() ?? (await connect());
    const started = performance.now();
    try {
      await pooled.client.ping({ timeout: timing.connectTimeoutMs });
    } catch (error) {
      await closePooledClient(pooled);
      throw classifyUpstreamError(spec.name, error, timing.connectTimeoutMs);
    }
    const latencyMs = Math.round(performance.now() - started);
    idle.push(pooled);
    const version = pooled.client.getServerVersion()?.version;
    if (spec.kind === 'mcp' && (tools.length === 0 || performance.now() - toolsAt > timing.toolsRefreshMs)) await refreshTools();
    return { latencyMs, ...(version ? { version } : {}) };
  }

  async function refreshTools(): Promise<void> {
    const listed: Tool[] = [];
    await run(async (client, signal) => {
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { signal, timeout: timing.connectTimeoutMs * 3 });
        listed.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    }, {});
    const changed = JSON.stringify(listed) !== JSON.stringify(tools);
    tools = listed;
    toolsAt = performance.now();
    if (changed) hooks.onToolsChanged?.();
  }

  async function connect(): Promise<PooledClient> {
    try {
      const pooled = await connectPooledClient(spec.url, spec.headers, timing.connectTimeoutMs, {
        ...hooks,
        onToolsChanged: () => void refreshTools().catch(() => {}),
      }, net.fetch);
      // The lean path speaks the version the edge agreed to (an older edge may not know the newest one).
      const negotiated = (pooled.client.transport as StreamableHTTPClientTransport | undefined)?.protocolVersion;
      if (lean && negotiated) lean.protocolVersion = negotiated;
      return pooled;
    } catch (error) {
      throw classifyUpstreamError(spec.name, error, timing.connectTimeoutMs);
    }
  }

  /**
   * A call to a down upstream joins (or starts) a health check, waiting at most downWaitMs, so the first
   * call after a device comes back succeeds instead of waiting for the backoff timer.
   */
  async function ensureUp(): Promise<void> {
    if (state.status === 'up') return;
    await Promise.race([check(), new Promise((r) => setTimeout(r, timing.downWaitMs).unref())]);
    if ((state.status as string) !== 'up') throw downFailure();
  }

  const downFailure = () => new UpstreamFailure(spec.name, 'down', `${state.error ?? 'not reachable yet'}${state.since ? ` (since ${state.since})` : ''}`);

  /**
   * Runs `fn` on a pooled client within the concurrency limit. Connection failures mark the upstream
   * down and come back as UpstreamFailure; the caller's signal cancels the call upstream.
   */
  async function request<T>(fn: (client: Client, signal: AbortSignal) => Promise<T>, options: { signal?: CallSignal; forward?: CallForwarder }): Promise<T> {
    await ensureUp();
    return run(fn, options);
  }

  /** `request` without the up check: the health probe itself lists tools through it. */
  async function run<T>(fn: (client: Client, signal: AbortSignal) => Promise<T>, options: { signal?: CallSignal; forward?: CallForwarder }): Promise<T> {
    const release = await limiter.acquire(options.signal);
    state.in_flight += 1;
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let pooled: PooledClient | undefined;
    try {
      pooled = idle.pop() ?? (await connect());
      pooled.lease = { forward: options.forward, fail: (reason) => controller.abort(reason) };
      const result = await fn(pooled.client, controller.signal);
      state.last_seen = new Date().toISOString();
      return result;
    } catch (error) {
      throw failureOf(error, controller.signal, options.signal, pooled);
    } finally {
      options.signal?.removeEventListener('abort', onCallerAbort);
      state.in_flight -= 1;
      if (pooled) {
        pooled.lease = undefined;
        if (pooled.broken || closed || state.status === 'down') void closePooledClient(pooled);
        else idle.push(pooled);
      }
      release();
    }
  }

  /**
   * tools/call within the concurrency limit. An edge: one lean POST (the per-call timeout restarts on
   * progress; a cancel or timeout sends `notifications/cancelled` and aborts the request). A `kind: mcp`
   * upstream: the SDK client on a pooled session, which may also log, sample or elicit during the call.
   */
  async function callTool(tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    if (!lean) {
      return request((client, signal) => client.callTool({ name: tool, arguments: args }, CallToolResultSchema, {
        signal, timeout: spec.callTimeoutMs, resetTimeoutOnProgress: true, ...(options.onprogress ? { onprogress: options.onprogress } : {}),
      }), options) as Promise<CallToolResult>;
    }
    if (state.status !== 'up') await ensureUp();
    // A free slot is taken at once: no promise to wait on, which is most calls.
    const release = limiter.tryAcquire(options.signal) ?? await limiter.acquire(options.signal);
    state.in_flight += 1;
    try {
      const result = await leanCallTool(lean, {
        id: `${callIdPrefix}${++callCount}`, tool, args, timeoutMs: spec.callTimeoutMs, signal: options.signal,
        ...(options.onprogress ? { onprogress: options.onprogress } : {}),
        ...(options.forward?.notify ? { notify: (n: { method: string; params?: Record<string, unknown> }) => options.forward!.notify!(n) } : {}),
      });
      answeredAt = Date.now();
      return result;
    } catch (error) {
      // A stateless edge refusing one request (413 too large, 400) is answering: it stays up. (Over the SDK
      // path a 4xx may be an expired session, which only a new connection cures, hence down there.)
      if (error instanceof HttpStatusError && error.code >= 400 && error.code < 500 && error.code !== 401 && error.code !== 403) {
        throw new UpstreamFailure(spec.name, 'protocol', `answered HTTP ${error.code}: ${error.message}`);
      }
      throw failureOf(error, undefined, options.signal, undefined);
    } finally {
      state.in_flight -= 1;
      release();
    }
  }

  /** A lost connection or a network error marks the upstream down; the caller giving up never does. */
  function failureOf(error: unknown, signal: AbortSignal | undefined, callerSignal: CallSignal | undefined, pooled: PooledClient | undefined): UpstreamFailure {
    const isLost = (e: unknown): e is Error => e instanceof PinMismatchError || e instanceof ConnectionLostError || (e instanceof Error && /connection lost/.test(e.message));
    const lost = signal?.aborted && isLost(signal.reason) ? signal.reason : error instanceof PinMismatchError || error instanceof ConnectionLostError ? error : undefined;
    const failure = lost ? new UpstreamFailure(spec.name, 'down', lost.message)
      : callerSignal?.aborted ? new UpstreamFailure(spec.name, 'cancelled', 'cancelled by the client')
      : classifyUpstreamError(spec.name, error, spec.callTimeoutMs);
    if (failure.kind === 'down') {
      if (pooled) pooled.broken = true;
      markDown(failure.reason);
    }
    return failure;
  }

  return {
    name: spec.name,
    kind: spec.kind,
    spec,
    status: (): UpstreamStatus => {
      if (answeredAt !== undefined && (state.last_seen === undefined || Date.parse(state.last_seen) < answeredAt)) state.last_seen = new Date(answeredAt).toISOString();
      return { ...state, queued: limiter.queued };
    },
    /** The tools a `kind: mcp` upstream listed at its last refresh. */
    tools: (): Tool[] => tools,
    request,
    callTool,
    /** First health check, then the timer keeps going until close(). */
    start: () => check(),
    checkNow: () => check(),
    refreshTools,
    async close(): Promise<void> {
      closed = true;
      clearTimeout(timer);
      await Promise.all(idle.splice(0).map(closePooledClient));
      net.close();
      link?.close();
    },
  };
}

export type Upstream = ReturnType<typeof createUpstream>;
