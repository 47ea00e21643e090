// The checks a POST to an existing session must pass before its messages reach the session's server, as
// the SDK's Streamable HTTP transport makes them (same statuses, codes and messages), for the hub's
// plain-JSON path that answers without an SDK transport. Pure: headers and the parsed body in.
import { JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isInitialize } from './message-kind.js';

/** The SDK's own bound on a batch (server/requestBody.js MAX_BATCH_SIZE). */
export const MAX_BATCH_SIZE = 100;

/** A refusal: the HTTP status and the JSON-RPC error the body carries. */
export interface PostRefusal { status: number; code: number; message: string }

type HeaderValue = string | string[] | undefined;

const refuse = (status: number, code: number, message: string): PostRefusal => ({ status, code, message });

/** `application/json; charset=utf-8` is JSON; `application/json-seq` is not (the media type's essence decides). */
export function isJsonMediaType(header: HeaderValue): boolean {
  if (typeof header !== 'string') return false;
  return header === 'application/json' || header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * A JSON-RPC request as SDK clients send most of them (no `_meta`) is recognized without the schema: the
 * SDK's request schema accepts exactly these. Anything else — `_meta` included, whose shape the schema
 * checks — goes through the SDK's message schema, so the session's server never receives a message its
 * own guards would drop unanswered (which would leave this POST waiting forever).
 */
function parseMessage(raw: unknown): JSONRPCMessage | undefined {
  const m = raw as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
  const plainRequest = typeof m === 'object' && m !== null && !Array.isArray(m) && m.jsonrpc === '2.0' && typeof m.method === 'string'
    && (typeof m.id === 'string' || (typeof m.id === 'number' && Number.isInteger(m.id)))
    && (m.params === undefined || (typeof m.params === 'object' && m.params !== null && !Array.isArray(m.params) && !('_meta' in m.params)))
    && Object.keys(m).every((key) => key === 'jsonrpc' || key === 'id' || key === 'method' || key === 'params');
  if (plainRequest) return m as JSONRPCMessage;
  const parsed = JSONRPCMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The messages of a POST to an open session (or, `stateless`, to `POST /mcp/stateless`, where an
 * initialize is allowed alone), or why it is refused (406, 415, 400).
 */
export function checkSessionPost(headers: Record<string, HeaderValue>, body: unknown, stateless = false): JSONRPCMessage[] | PostRefusal {
  const accept = headers.accept;
  const accepts = typeof accept === 'string' ? accept : Array.isArray(accept) ? accept.join(',') : '';
  if (!accepts.includes('application/json') || !accepts.includes('text/event-stream')) {
    return refuse(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
  }
  if (!isJsonMediaType(headers['content-type'])) return refuse(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
  if (Array.isArray(body) && body.length > MAX_BATCH_SIZE) return refuse(400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
  const messages: JSONRPCMessage[] = [];
  for (const raw of Array.isArray(body) ? body : [body]) {
    const message = parseMessage(raw);
    if (!message) return refuse(400, -32700, 'Parse error: Invalid JSON-RPC message');
    messages.push(message);
  }
  // A session was created by its initialize: a second one is refused, as the SDK does.
  if (messages.some(isInitialize)) {
    if (!stateless) return refuse(400, -32600, 'Invalid Request: Server already initialized');
    if (messages.length > 1) return refuse(400, -32600, 'Invalid Request: Only one initialization request is allowed');
    return messages;
  }
  const version = headers['mcp-protocol-version'];
  if (version !== undefined && (typeof version !== 'string' || !SUPPORTED_PROTOCOL_VERSIONS.includes(version))) {
    return refuse(400, -32000, `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
  }
  return messages;
}
