import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EdgeConfig } from '../../../src/edge/config.js';
import { createEdge } from '../../../src/edge/edge.js';
import { createEdgeHttpServer, type EdgeHttpServer } from '../../../src/edge/http.js';
import { allowedHostnames } from '../../../src/edge/http-rules.js';
import type { System } from '../../../src/edge/system.js';
import { TEST_TOKEN } from '../../unit/edge/test-config.js';

export interface Listening extends EdgeHttpServer {
  port: number;
  url: string;
}

/** The real HTTP layer on 127.0.0.1 with an ephemeral port, over the given system probes. */
export async function listenEdge(config: EdgeConfig, system: System): Promise<Listening> {
  const http = createEdgeHttpServer(createEdge(config, system), config, { allowedHosts: allowedHostnames(config, 'kitchen-pi', []), version: '9.9.9-test' });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  const port = (http.server.address() as AddressInfo).port;
  return { ...http, port, url: `http://127.0.0.1:${port}/mcp` };
}

export const MCP_HEADERS = {
  authorization: `Bearer ${TEST_TOKEN}`,
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
};

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with full control over headers (fetch forbids setting Host). */
export function rawRequest(port: number, options: { address?: string; method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.address ?? '127.0.0.1', port, agent: false, method: options.method ?? 'POST', path: options.path ?? '/mcp', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON-RPC messages of an SSE body. */
export function sseMessages(body: string): Record<string, unknown>[] {
  return body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
}

export const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
