import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * What went wrong with an upstream call, as the agent should read it. `down` means the device or its
 * connection failed (the upstream is marked down and reconnects in the background); `protocol` is an
 * answer from a working upstream (invalid params, unknown method) and leaves it up.
 */
export type UpstreamFailureKind = 'down' | 'timeout' | 'cancelled' | 'protocol' | 'auth';

export class UpstreamFailure extends Error {
  constructor(readonly device: string, readonly kind: UpstreamFailureKind, readonly reason: string, readonly mcpCode?: number) {
    super(`${device}: ${reason}`);
    this.name = 'UpstreamFailure';
  }
}

/** Node's fetch hides the errno in `cause`: `connect ECONNREFUSED 10.0.0.21:8766` is what a user can act on. */
export function describeNetworkError(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return e?.message ?? String(error);
}

/** Maps whatever the SDK client threw to an UpstreamFailure naming the device. */
export function classifyUpstreamError(device: string, error: unknown, timeoutMs: number): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      const limit = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      return new UpstreamFailure(device, 'timeout', `no answer within ${limit} (the call may still run on the device)`);
    }
    if (error.code === ErrorCode.ConnectionClosed) return new UpstreamFailure(device, 'down', 'the connection closed during the call');
    return new UpstreamFailure(device, 'protocol', error.message.replace(/^MCP error -?\d+: /, ''), error.code);
  }
  const status = (error as { code?: unknown }).code;
  const message = describeNetworkError(error);
  if (typeof status === 'number' && (status === 401 || status === 403)) {
    return new UpstreamFailure(device, 'auth', `refused the hub's credentials (HTTP ${status})`);
  }
  if ((error as Error)?.name === 'AbortError') return new UpstreamFailure(device, 'cancelled', 'cancelled by the client');
  if (typeof status === 'number' && status >= 400) return new UpstreamFailure(device, 'down', `answered HTTP ${status}: ${message}`);
  return new UpstreamFailure(device, 'down', message);
}
