// A hub with a small fleet for the status-page tests: two fake edges (one described by a hostile string),
// an edge that is down, and a `kind: mcp` upstream whose tool names are hostile too.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamSpec } from '../../src/hub/upstreams/types.js';
import { startFakeEdge, type FakeEdge } from '../fixtures/hub/fake-edge.js';
import { EDGE_TOKEN, edgeSpec } from '../integration/hub/hub-helpers.js';

export const HOSTILE_DESCRIPTION = `Kitchen <script>alert("pwned")</script> & "quotes" 'single'`;
export const HOSTILE_TAG = '<img src=x onerror=alert(1)>';
export const HOSTILE_TOOL = 'evil<b>tool</b>';

export interface StatusFleet {
  edges: FakeEdge[];
  specs: UpstreamSpec[];
  mcpUrl: string;
  close(): Promise<void>;
}

/** A stateless `kind: mcp` server listing one ordinary and one hostile tool name. */
async function startHostileMcp(): Promise<{ http: HttpServer; url: string }> {
  const http = createServer(async (req, res) => {
    const server = new Server({ name: 'ha', version: '2026.1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: 'light_on', inputSchema: { type: 'object' } }, { name: HOSTILE_TOOL, inputSchema: { type: 'object' } }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` };
}

/** An address nothing listens on: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export async function startStatusFleet(): Promise<StatusFleet> {
  const kitchen = await startFakeEdge('kitchen-pi', EDGE_TOKEN);
  const garage = await startFakeEdge('garage-pi', EDGE_TOKEN);
  const mcp = await startHostileMcp();
  const dead = await deadUrl();
  const specs: UpstreamSpec[] = [
    edgeSpec(kitchen, { description: HOSTILE_DESCRIPTION, tags: ['audio', HOSTILE_TAG], groups: ['pis'] }),
    edgeSpec(garage, { description: 'Garage Pi with the camera', tags: ['camera'] }),
    { ...edgeSpec({ name: 'old-box', url: dead } as FakeEdge), address: '127.0.0.1', description: 'Switched off' },
    { name: 'ha', kind: 'mcp', url: mcp.url, headers: {}, maxConcurrent: 4, callTimeoutMs: 5000, tags: ['home'], groups: [], enabledTools: [] },
  ];
  return {
    edges: [kitchen, garage], specs, mcpUrl: mcp.url,
    async close() {
      await Promise.all([kitchen.stop(), garage.stop()]);
      await new Promise<void>((resolve) => { mcp.http.closeAllConnections(); mcp.http.close(() => resolve()); });
    },
  };
}
