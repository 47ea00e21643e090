import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { buildHub } from '../../../src/hub/app.js';
import { planAllowedHosts } from '../../../src/hub/http-guard.js';
import type { UpstreamSpec } from '../../../src/hub/upstreams/types.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN, edgeSpec, FAST_TIMING } from '../hub/hub-helpers.js';

/** A `kind: mcp` upstream (like Home Assistant) whose `echo` tool takes any arguments and records every call. */
export interface RecordingUpstream {
  url: string;
  calls: unknown[];
  /** Every request's Authorization header: the client's token must never show up here. */
  authorizations: (string | undefined)[];
  stop(): Promise<void>;
}

export async function startRecordingUpstream(token: string): Promise<RecordingUpstream> {
  const upstream: Omit<RecordingUpstream, 'url' | 'stop'> = { calls: [], authorizations: [] };
  const http: HttpServer = createServer(async (req, res) => {
    upstream.authorizations.push(req.headers.authorization);
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    const server = new Server({ name: 'recording', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'echo', description: 'Echoes its arguments', inputSchema: { type: 'object' } }] }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      upstream.calls.push(request.params.arguments);
      return { content: [{ type: 'text', text: 'recorded' }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return { ...upstream, url, stop: () => new Promise((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }) };
}

export function mcpSpec(name: string, url: string, token: string): UpstreamSpec {
  return { name, kind: 'mcp', url, headers: { authorization: `Bearer ${token}` }, maxConcurrent: 64, callTimeoutMs: 5000, tags: [], groups: [], enabledTools: [] };
}

export interface ListeningHub {
  app: FastifyInstance;
  port: number;
  url: string;
  token: string;
  auditFile: string;
  auditLines(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** buildHub listening on loopback (so hostile headers go through a real socket), audit log in a temp dir, generous rate limit. */
export async function listenHub(specs: UpstreamSpec[], sessionsMax = 50): Promise<ListeningHub> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmcp-fuzz-hub-'));
  const tokens = createClientTokenStore(stateDir);
  const token = tokens.create('fuzzer');
  const auditFile = join(stateDir, 'audit.jsonl');
  const app = buildHub({
    specs, auth: tokens, allowedHosts: planAllowedHosts('127.0.0.1', undefined), auditLog: auditFile, timing: FAST_TIMING,
    rateLimit: { burst: 1_000_000, perSecond: 1_000_000 }, sessions: { max: sessionsMax }, bodyLimit: 65_536,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await app.hub.runtime.start();
  const port = (app.server.address() as AddressInfo).port;
  return {
    app, port, url: `http://127.0.0.1:${port}/mcp`, token, auditFile,
    auditLines: () => {
      let text = '';
      try { text = readFileSync(auditFile, 'utf8'); } catch { return []; }
      return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    close: async () => {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The recording upstream's own token: fuzzed requests that carry it must never be forwarded with it. */
export const UPSTREAM_TOKEN = 'ha-upstream-secret-token';

export interface FuzzHub {
  edge: FakeEdge;
  upstream: RecordingUpstream;
  hub: ListeningHub;
  /** Closes the hub first, then its upstreams. */
  stop(): Promise<void>;
}

/** The hub the fuzz files attack: a fake edge and a recording `kind: mcp` upstream behind it. */
export async function startFuzzHub(sessionsMax: number): Promise<FuzzHub> {
  const edge = await startFakeEdge('kitchen', EDGE_TOKEN);
  const upstream = await startRecordingUpstream(UPSTREAM_TOKEN);
  const hub = await listenHub([edgeSpec(edge), mcpSpec('ha', upstream.url, UPSTREAM_TOKEN)], sessionsMax);
  return {
    edge, upstream, hub,
    stop: async () => {
      await hub.close();
      await upstream.stop();
      await edge.stop();
    },
  };
}
