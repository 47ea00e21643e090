import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CallForwarder } from '../upstreams/client-pool.js';
import type { CallSignal } from '../call-signal.js';
import type { Confirmer } from '../confirm.js';
import { UpstreamFailure } from '../upstreams/errors.js';

/** What a tool handler may do besides answering: report progress, forward upstream messages, learn it was cancelled. */
export interface CallContext {
  signal: CallSignal;
  /** The client's progressToken, when it asked for progress. */
  progressToken?: string | number;
  forward: CallForwarder;
  /**
   * Asks a human about calls on devices whose policy says `confirm` (the session's elicitation, or the
   * terminal for `lanmcp exec`). Absent: such calls are refused, never forwarded.
   */
  confirm?: Confirmer;
}

/** Upstream progress re-emitted to the client under the client's own token. */
export function progressRelay(context: CallContext): ((p: { progress: number; total?: number; message?: string }) => void) {
  return (p) => {
    if (context.progressToken === undefined) return;
    // Best-effort: a client gone by now must not turn into an unhandled rejection.
    context.forward.notify?.({ method: 'notifications/progress', params: { progressToken: context.progressToken, ...p } }).catch(() => {});
  };
}

export function textResult(text: string, isError = false, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}), ...(isError ? { isError: true } : {}) };
}

/** `device kitchen-pi is down: connect ECONNREFUSED …` — what the agent reads when a device fails it. */
export function describeFailure(failure: UpstreamFailure): string {
  switch (failure.kind) {
    case 'down': return `device ${failure.device} is down: ${failure.reason}`;
    case 'auth': return `device ${failure.device}: ${failure.reason}`;
    case 'cancelled': return `device ${failure.device}: call cancelled`;
    default: return `device ${failure.device}: ${failure.reason}`;
  }
}

/** An edge's own isError result (a policy refusal, a missing file) with the device named in front. */
export function prefixError(device: string, result: CallToolResult): CallToolResult {
  if (!result.isError) return result;
  const [first, ...rest] = result.content ?? [];
  if (first?.type !== 'text') return { ...result, content: [{ type: 'text', text: `${device}:` }, ...(result.content ?? [])] };
  return { ...result, content: [{ ...first, text: `${device}: ${first.text}` }, ...rest] };
}

export function failureResult(error: unknown, device: string): CallToolResult {
  const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure(device, 'down', (error as Error)?.message ?? String(error));
  return textResult(describeFailure(failure), true);
}
