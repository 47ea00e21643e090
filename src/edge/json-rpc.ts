/**
 * The slice of JSON-RPC 2.0 and MCP the edge speaks, hand-written rather than imported from the SDK:
 * the SDK's server stack costs ~12 MB of idle memory on Node 18 (notes/edge-footprint.md), and its
 * types pull zod into the bundle.
 */
export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: RequestId; result: Record<string, unknown> }
  | { jsonrpc: '2.0'; id: RequestId | null; error: { code: number; message: string; data?: unknown } };

/** A parsed incoming message: what the HTTP layer and the in-memory transport hand to the edge. */
export type IncomingMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response' }
  | { kind: 'invalid'; id: RequestId | null; reason: string };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

export const LATEST_PROTOCOL_VERSION = '2025-11-25';
export const SUPPORTED_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is RequestId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Classifies one JSON value as a request, notification, response or an invalid message. */
export function classifyMessage(value: unknown): IncomingMessage {
  if (!isObj(value) || value.jsonrpc !== '2.0') return { kind: 'invalid', id: null, reason: 'not a JSON-RPC 2.0 message' };
  const id = isId(value.id) ? value.id : null;
  if (value.params !== undefined && !isObj(value.params)) return { kind: 'invalid', id, reason: 'params must be an object' };
  if (typeof value.method === 'string') {
    if (value.id === undefined) return { kind: 'notification', message: value as unknown as JsonRpcNotification };
    if (id === null) return { kind: 'invalid', id: null, reason: 'id must be a string or a number' };
    return { kind: 'request', message: value as unknown as JsonRpcRequest };
  }
  if ('result' in value || 'error' in value) return { kind: 'response' };
  return { kind: 'invalid', id, reason: 'a message needs a method, a result or an error' };
}

export function resultResponse(id: RequestId, result: Record<string, unknown>): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: RequestId | null, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** The key under which an in-flight request is found again when its cancellation arrives. */
export function requestKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}
