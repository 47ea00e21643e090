import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Edge } from '../../../src/edge/edge.js';
import { classifyMessage } from '../../../src/edge/json-rpc.js';

/**
 * The SDK Transport interface around the edge's message handler: an SDK Client talks to the edge
 * in-process, exactly as over HTTP minus the HTTP rules (which http tests cover).
 */
export class EdgeTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly closed = new AbortController();

  constructor(private readonly edge: Edge) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    const incoming = classifyMessage(message);
    const deliver = (m: unknown) => queueMicrotask(() => this.onmessage?.(m as JSONRPCMessage));
    const pending = this.edge.handle(incoming, { signal: this.closed.signal, notify: deliver });
    if (incoming.kind === 'request') {
      void pending.then((response) => response && deliver(response), (error: Error) => this.onerror?.(error));
    } else {
      await pending;
    }
  }

  async close(): Promise<void> {
    this.closed.abort('transport closed');
    this.onclose?.();
  }
}
