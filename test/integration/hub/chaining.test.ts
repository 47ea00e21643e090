import { afterAll, expect, it } from 'vitest';
import { startFakeEdge } from '../../fixtures/hub/fake-edge.js';
import { connectClient, edgeDevice, edgeSpec, EDGE_TOKEN, startTestHub, textOf } from './hub-helpers.js';

// Proxy chaining: a site hub (with its edges) behind a second hub as a `kind: mcp` upstream, with the
// site hub's own client token; the outer client's token stays at the outer hub.
const edge = await startFakeEdge('pi-a', EDGE_TOKEN);
const site = await startTestHub({ specs: [edgeSpec(edge)], devices: [edgeDevice('pi-a')] });
const outer = await startTestHub({
  specs: [{ name: 'site', kind: 'mcp', url: site.url, headers: { authorization: `Bearer ${site.token}` }, maxConcurrent: 4, callTimeoutMs: 10_000, tags: [], groups: [], enabledTools: [] }],
});
afterAll(async () => {
  await outer.close();
  await site.close();
  await edge.stop();
});

it('re-exposes another lanmcp hub: its tools as site_<tool>, calls and progress pass through both hubs', async () => {
  const client = await connectClient(outer.url, outer.token);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['network_resources', 'site_network_resources', 'site_run_command', 'site_run_on_many']));
    const run = (await client.listTools()).tools.find((t) => t.name === 'site_run_command')!;
    expect(run.inputSchema.properties!.host).toMatchObject({ enum: ['pi-a'] });
    const progress: number[] = [];
    const result = await client.callTool({ name: 'site_run_command', arguments: { host: 'pi-a', command: 'sleep:200' } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(textOf(result)).toContain('slept 200 ms on pi-a');
    expect(progress.length).toBeGreaterThan(0);
    const seen = edge.headers.map((h) => h.authorization);
    expect(seen).not.toContain(`Bearer ${outer.token}`);
    expect(seen).not.toContain(`Bearer ${site.token}`);
  } finally {
    await client.close();
  }
});
