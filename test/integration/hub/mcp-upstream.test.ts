import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListToolsRequestSchema, ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, expect, it } from 'vitest';
import { connectClient, startTestHub, textOf } from './hub-helpers.js';

// A `kind: mcp` upstream like Home Assistant: stateless JSON, bearer auth, never sends list_changed.
const tools: Tool[] = [{ name: 'first', description: 'The first tool', inputSchema: { type: 'object', properties: { n: { type: 'number' } } }, annotations: { readOnlyHint: true } }];
const seenAuth: (string | undefined)[] = [];
const http = createServer(async (req, res) => {
  seenAuth.push(req.headers.authorization);
  if (req.headers.authorization !== 'Bearer ha-long-lived') return void res.writeHead(401).end();
  const server = new Server({ name: 'home-assistant', version: '2026.1' }, { capabilities: { tools: {}, prompts: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (r) => ({ content: [{ type: 'text', text: `${r.params.name}(${JSON.stringify(r.params.arguments)})` }] }));
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [{ name: 'greet', description: 'Say hello' }] }));
  server.setRequestHandler(GetPromptRequestSchema, async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hello from ha' } }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
afterAll(() => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }));

it('re-exposes a kind: mcp upstream as <host>_<tool> and <host>_<prompt>, refreshing its tool list without list_changed', async () => {
  const hub = await startTestHub({
    specs: [{ name: 'ha', kind: 'mcp', url, headers: { authorization: 'Bearer ha-long-lived' }, maxConcurrent: 4, callTimeoutMs: 5000, tags: [], groups: [], enabledTools: [] }],
  });
  const client = await connectClient(hub.url, hub.token);
  let listChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => { listChanged += 1; });
  try {
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(['network_resources', 'ha_first']);
    expect(listed.tools[1]).toMatchObject({ description: '[ha] The first tool', annotations: { readOnlyHint: true } });
    expect(textOf(await client.callTool({ name: 'ha_first', arguments: { n: 1 } }))).toBe('first({"n":1})');
    tools.push({ name: 'second', description: 'Added later', inputSchema: { type: 'object' } });
    await expect.poll(async () => (await client.listTools()).tools.map((t) => t.name), { timeout: 3000, interval: 100 }).toContain('ha_second');
    // Clients that listen (on their GET stream) hear about it; the others see it at their next tools/list.
    await expect.poll(() => listChanged, { timeout: 2000 }).toBeGreaterThan(0);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['ha_greet']);
    expect((await client.getPrompt({ name: 'ha_greet' })).messages[0]!.content).toMatchObject({ text: 'hello from ha' });
    const resources = await client.callTool({ name: 'network_resources', arguments: {} });
    expect((resources.structuredContent as { devices: unknown[] }).devices[0]).toMatchObject({ name: 'ha', kind: 'mcp', url, status: 'up', version: '2026.1', tools: ['ha_first', 'ha_second'] });
    expect(seenAuth.every((a) => a === 'Bearer ha-long-lived')).toBe(true);
    expect(seenAuth).not.toContain(`Bearer ${hub.token}`);
  } finally {
    await client.close();
    await hub.close();
  }
});
