import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { answeredId } from './message-kind.js';

/**
 * The answer to one POST that is answered as a single JSON body: it waits for the server's response to
 * each request the POST carried, then writes them at once (one object for one request, an array for more,
 * as the SDK's JSON mode does). Other messages tied to those requests (progress, logs) have no stream to
 * travel on and are dropped, as in the SDK's JSON mode; calls that need them are answered as SSE instead.
 */
export class JsonReply {
  private readonly answers = new Map<RequestId, JSONRPCMessage | undefined>();
  private done = false;

  /** `idHeader`: the session's `mcp-session-id` header, or nothing for a stateless request. */
  constructor(private readonly res: ServerResponse, requestIds: readonly RequestId[], private readonly idHeader: Record<string, string>) {
    for (const id of requestIds) this.answers.set(id, undefined);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const id = answeredId(message);
    if (this.done || id === undefined || !this.answers.has(id)) return;
    this.answers.set(id, message);
    for (const answer of this.answers.values()) if (answer === undefined) return;
    this.done = true;
    const all = [...this.answers.values()];
    const body = JSON.stringify(all.length === 1 ? all[0] : all);
    if (this.res.destroyed || this.res.writableEnded) return;
    this.res.writeHead(200, { 'content-type': 'application/json', ...this.idHeader, 'content-length': Buffer.byteLength(body) });
    this.res.end(body);
  }

  /** The session closed: whatever was not answered by now never will be (its callers sent errors first). */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (!this.res.headersSent) this.res.writeHead(404, { 'content-type': 'application/json', ...this.idHeader });
    if (!this.res.writableEnded) this.res.end(this.res.headersSent ? undefined : JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
  }
}
