// What kind of JSON-RPC message this is, by shape. The SDK's own guards (isJSONRPCRequest, …) run a zod
// schema on every call, which showed up in the hub's per-request profile; the messages seen here were
// already validated (checkSessionPost, the SDK transports) or built by the SDK's Server.
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** A request: has a method and an id (a notification has no id). */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

/** A result or an error answering a request: its id, or undefined for anything else. */
export function answeredId(message: JSONRPCMessage): RequestId | undefined {
  if ('method' in message || !('id' in message)) return undefined;
  return ('result' in message || 'error' in message) ? (message.id ?? undefined) : undefined;
}

/** `initialize` (refused inside a session: the session was created by one). */
export function isInitialize(message: JSONRPCMessage): boolean {
  return 'method' in message && message.method === 'initialize';
}
