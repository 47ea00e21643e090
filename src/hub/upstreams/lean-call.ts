import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { prepareHeaders, type EdgeLink, type Exchange, type ExchangeHandlers, type PreparedHeaders } from './edge-link.js';
import { clearDeadline, moveDeadline, setDeadline } from './deadlines.js';
import { describeNetworkError } from './errors.js';
import { PinMismatchError } from './pinned-agent.js';
import { createSseParser } from './sse-parser.js';
import type { CallSignal } from '../call-signal.js';

/** Progress as the SDK's `onprogress` gets it: the notification's params without the token. */
export type ProgressParams = { progress: number; total?: number; message?: string } & Record<string, unknown>;

export interface LeanCall {
  /** JSON-RPC id, unique among this hub's calls to the edge: a `notifications/cancelled` names it, and the edge cancels every running call with that id. */
  id: string;
  tool: string;
  args: Record<string, unknown>;
  /** Per-call timeout, restarted by each progress notification (the SDK's `resetTimeoutOnProgress`). */
  timeoutMs: number;
  /** The hub's caller: aborting it cancels the call on the edge. */
  signal?: CallSignal;
  /** Given: the edge is asked for progress (the id is the progressToken) and each notification is passed here. */
  onprogress?: (progress: ProgressParams) => void;
  /** Logging notifications tied to the call, passed on as the SDK path passes them to the hub's client. */
  notify?: (notification: { method: string; params?: Record<string, unknown> }) => Promise<void>;
}

export interface LeanTarget {
  /** The edge's Authorization header (never logged). */
  headers: Record<string, string>;
  protocolVersion: string;
  link: Pick<EdgeLink, 'exchange'>;
  /** The request headers as last prepared, for the protocol version they name. */
  prepared?: { version: string; headers: PreparedHeaders };
}

/** The same for every call to an edge until its protocol version changes: checked and joined once. */
function requestHeaders(target: LeanTarget): PreparedHeaders {
  if (target.prepared?.version !== target.protocolVersion) {
    const headers = prepareHeaders({
      ...target.headers, accept: 'application/json, text/event-stream', 'content-type': 'application/json',
      'mcp-protocol-version': target.protocolVersion,
    });
    target.prepared = { version: target.protocolVersion, headers };
  }
  return target.prepared.headers;
}

/** The connection failed or ended before the edge answered: the caller marks the edge down with this message. */
export class ConnectionLostError extends Error {
  constructor(detail: string) {
    super(`connection lost during the call (${detail})`);
    this.name = 'ConnectionLostError';
  }
}

/** A non-2xx answer; `code` is the HTTP status, as classifyUpstreamError reads it from the SDK's errors. */
export class HttpStatusError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

const MAX_ERROR_BODY = 4096;
/**
 * Far above anything our edge sends (its output cap is max_output_bytes per stream, 1 MiB by default), low
 * enough that a compromised or broken device cannot exhaust the hub's memory with one endless answer.
 */
export const MAX_ANSWER_CHARS = 64 * 1_048_576;

/**
 * One `tools/call` to our own edge as one POST on the upstream's edge link (edge-link.ts), its answer read
 * as it arrives: a JSON body, or SSE parsed on the way (progress and logging passed on, the final JSON-RPC
 * response ends the call). No SDK transport, web streams or schema parsing: the edge is our own
 * stateless server (src/edge/http.ts), and this path is what a call through the hub costs per call.
 * A cancel or timeout sends `notifications/cancelled` (as the SDK client does), then closes the exchange.
 * Throws McpError (timeout, a JSON-RPC error), HttpStatusError, ConnectionLostError or PinMismatchError;
 * the upstream turns them into UpstreamFailures naming the device.
 */
export function leanCallTool(target: LeanTarget, call: LeanCall): Promise<CallToolResult> {
  if (call.signal?.aborted) return Promise.reject(call.signal.reason);
  const params: Record<string, unknown> = { name: call.tool, arguments: call.args };
  if (call.onprogress) params._meta = { progressToken: call.id };
  const body = JSON.stringify({ jsonrpc: '2.0', id: call.id, method: 'tools/call', params });
  // One promise, settled once: by the answer, a failure, or a stop. No AbortController: the exchange is
  // destroyed directly; this path is what every edge call costs.
  return new Promise<CallToolResult>((resolve, reject) => {
    const headers = requestHeaders(target);
    let settled = false;
    let stopped: unknown;
    let exchange: Exchange | undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearDeadline(deadline);
      call.signal?.removeEventListener('abort', onCallerAbort);
      return true;
    };
    const answered = (result: CallToolResult) => { if (finish()) resolve(result); };
    const failed = (error: unknown) => { if (finish()) reject(error); };
    // A cancel or timeout ends the call for the caller at once. The edge is told why first, and the request
    // is destroyed once it has the notification: so its audit records the caller's reason rather than a
    // closed connection, and a device that no longer answers still loses the request.
    const stop = (reason: unknown, why: string) => {
      if (settled) return;
      stopped = reason;
      failed(reason);
      void sendCancelled(target, headers, call.id, why).finally(() => exchange?.destroy());
    };
    const deadline = setDeadline(call.timeoutMs, () => stop(new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: call.timeoutMs }), `the hub's ${call.timeoutMs} ms timeout`));
    // Progress restarts the wait (the SDK's resetTimeoutOnProgress); none is read after the call ended.
    const armTimeout = () => { if (!settled) moveDeadline(deadline, call.timeoutMs); };
    const onCallerAbort = () => stop(call.signal?.reason ?? new Error('cancelled'), String(call.signal?.reason ?? 'cancelled by the client'));
    call.signal?.addEventListener('abort', onCallerAbort, { once: true });
    // After a stop, whatever the exchange still reads is nobody's concern: the reader ignores it.
    exchange = target.link.exchange(headers, body, answerReader(call, () => stopped, armTimeout, answered, failed, () => exchange?.destroy()));
  });
}

/**
 * Reads the JSON-RPC answer to call.id from a JSON body or an SSE stream; progress on the way restarts the
 * timeout. `stopped` is the reason the call was stopped (a lost connection is then not reported as such).
 */
function answerReader(call: LeanCall, stopped: () => unknown, onProgress: () => void, answered: (result: CallToolResult) => void, failedCall: (error: unknown) => void, abort: () => void): ExchangeHandlers {
  let settled = false;
  const settle = (fn: () => void) => {
    if (settled) return;
    settled = true;
    fn();
  };
  const fail = (error: unknown) => settle(() => failedCall(error));
  // The final response settles the call; the rest of the stream (the edge ends it at once) is still read,
  // so the keep-alive connection goes back to the link.
  const onMessage = (message: unknown) => {
    const m = message as { id?: unknown; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    if (m.method === undefined && m.id === call.id) {
      if (m.error) return fail(new McpError(m.error.code ?? ErrorCode.InternalError, m.error.message ?? 'error without a message', m.error.data));
      const result = m.result as CallToolResult | undefined;
      if (!result || typeof result !== 'object' || (result.content !== undefined && !Array.isArray(result.content))) {
        return fail(new McpError(ErrorCode.InternalError, 'the edge answered a malformed tool result'));
      }
      return settle(() => answered(result.content === undefined ? { ...result, content: [] } : result));
    }
    if (m.method === 'notifications/progress' && m.params?.progressToken === call.id && call.onprogress) {
      onProgress();
      const { progressToken: _token, ...progress } = m.params;
      call.onprogress(progress as ProgressParams);
      return;
    }
    if (m.method === 'notifications/message') void call.notify?.({ method: m.method, ...(m.params ? { params: m.params } : {}) }).catch(() => {});
    // Requests from the edge (sampling, elicitation) and other notifications: our edge sends none.
  };
  // Errors are built only while the call is open: every call's stream ends after its answer.
  const lost = (detail: () => string) => {
    if (!settled) fail(stopped() ?? new ConnectionLostError(detail()));
  };
  const ok = (status: number) => status >= 200 && status < 300;
  let status = 0;
  let type = '';
  let sse: ReturnType<typeof createSseParser> | undefined;
  let text = '';
  let received = 0;
  return {
    head(code, headers) {
      status = code;
      type = (headers.get('content-type') ?? '').toLowerCase();
      if (!ok(status) || !type.startsWith('text/event-stream')) return;
      sse = createSseParser((event) => {
        if (event.event !== 'message' || event.data === '') return;
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          return fail(new McpError(ErrorCode.ParseError, 'the edge sent an SSE event that is not JSON'));
        }
        onMessage(message);
      });
    },
    data(piece) {
      received += piece.length;
      if (received > MAX_ANSWER_CHARS) {
        fail(new McpError(ErrorCode.InternalError, `the edge's answer passed ${MAX_ANSWER_CHARS / 1_048_576} MiB: refused (a device that sends this much is broken or compromised)`));
        return abort();
      }
      if (sse) sse.push(piece);
      else if (ok(status)) text += piece;
      else if (text.length < MAX_ERROR_BODY) text += piece;
    },
    end() {
      if (!ok(status)) return fail(new HttpStatusError(status, errorText(status, text)));
      if (sse) {
        sse.end();
        return lost(() => 'the edge ended its stream without an answer');
      }
      if (!type.startsWith('application/json')) return fail(new ConnectionLostError(`unexpected answer: HTTP ${status} ${type || 'without a content type'}`));
      try {
        onMessage(JSON.parse(text));
      } catch {
        return fail(new McpError(ErrorCode.ParseError, 'the edge answered JSON that does not parse'));
      }
      if (!settled) fail(new McpError(ErrorCode.InternalError, 'the edge answered without a response to the call'));
    },
    // A reset, a close before the end, a refused connection, a key that is not the pinned one.
    error(error) {
      fail(stopped() ?? (error instanceof PinMismatchError ? error : new ConnectionLostError(describeNetworkError(error))));
    },
  };
}

/** The edge answers errors as a JSON-RPC error body: its message is what a user reads. */
function errorText(status: number, text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch { /* not JSON: the text itself */ }
  return text.trim().slice(0, 300) || `HTTP ${status}`;
}

/**
 * Tells the edge to stop the call (it kills the command's process group), as the SDK client does on a
 * cancel or timeout. Best-effort: resolves when the edge took it, failed, or after 2 s.
 */
function sendCancelled(target: LeanTarget, headers: PreparedHeaders, id: string, reason: string): Promise<void> {
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const exchange = target.link.exchange(headers, body, { head() {}, data() {}, end: done, error: done });
    timer = setTimeout(() => {
      exchange.destroy();
      done();
    }, 2000);
  });
}
