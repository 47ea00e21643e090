// Resources, prompts and completions of `kind: mcp` upstreams, re-exposed: resource URIs unchanged, prompt
// names as `<host>_<prompt>` (unchanged in the passthrough test mode). Requests route to the upstream
// that listed the URI, template or prompt.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  CompleteRequestSchema, ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema, McpError, ReadResourceRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
  type Prompt, type Resource, type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { HubRuntime } from './runtime.js';
import { UpstreamFailure } from './upstreams/errors.js';
import type { Upstream } from './upstreams/upstream.js';

const LIST_TIMEOUT_MS = 10_000;

type PooledClient = Parameters<Parameters<Upstream['request']>[0]>[0];

async function collect<T>(upstream: Upstream, page: (client: PooledClient, cursor: string | undefined, signal: AbortSignal) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  return upstream.request(async (client, signal) => {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const { items, next } = await page(client, cursor, signal);
      all.push(...items);
      cursor = next;
    } while (cursor);
    return all;
  }, {});
}

/** Every up upstream's list; a down one is skipped (its tools say why), never failing the whole list. */
async function gather<T>(runtime: HubRuntime, list: (u: Upstream) => Promise<T[]>): Promise<{ upstream: Upstream; items: T[] }[]> {
  const lists = await Promise.all(runtime.mcpUpstreams().map(async (upstream) => ({ upstream, items: await list(upstream).catch(() => [] as T[]) })));
  return lists;
}

const cursorOf = (c: string | undefined) => (c ? { cursor: c } : {});
const opts = (signal: AbortSignal) => ({ signal, timeout: LIST_TIMEOUT_MS });

function listResources(u: Upstream): Promise<Resource[]> {
  return collect(u, async (client, c, s) => {
    const r = await client.listResources(cursorOf(c), opts(s));
    return { items: r.resources, ...(r.nextCursor ? { next: r.nextCursor } : {}) };
  });
}

function listTemplates(u: Upstream): Promise<ResourceTemplate[]> {
  return collect(u, async (client, c, s) => {
    const r = await client.listResourceTemplates(cursorOf(c), opts(s));
    return { items: r.resourceTemplates, ...(r.nextCursor ? { next: r.nextCursor } : {}) };
  });
}

function listPrompts(u: Upstream): Promise<Prompt[]> {
  return collect(u, async (client, c, s) => {
    const r = await client.listPrompts(cursorOf(c), opts(s));
    return { items: r.prompts, ...(r.nextCursor ? { next: r.nextCursor } : {}) };
  });
}

/** The upstream serving a URI: the one listing it, or the one whose template matches it. */
async function ownerOfUri(runtime: HubRuntime, uri: string): Promise<Upstream> {
  const candidates = runtime.mcpUpstreams();
  if (candidates.length === 1) return candidates[0]!;
  for (const { upstream, items } of await gather(runtime, listResources)) if (items.some((r) => r.uri === uri)) return upstream;
  for (const { upstream, items } of await gather(runtime, listTemplates)) {
    if (items.some((t) => new UriTemplate(t.uriTemplate).match(uri) !== null)) return upstream;
  }
  throw new McpError(ErrorCode.InvalidParams, `no upstream serves the resource ${uri}`);
}

function promptRoute(runtime: HubRuntime, name: string): { upstream: Upstream; prompt: string } {
  const passthrough = runtime.options.passthrough;
  if (passthrough !== undefined) return { upstream: runtime.upstreams.get(passthrough)!, prompt: name };
  for (const upstream of runtime.mcpUpstreams()) {
    if (name.startsWith(`${upstream.name}_`)) return { upstream, prompt: name.slice(upstream.name.length + 1) };
  }
  throw new McpError(ErrorCode.InvalidParams, `unknown prompt "${name}"`);
}

/** Upstream failures as JSON-RPC errors that name the device. */
async function relay<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamFailure) throw new McpError(error.mcpCode ?? ErrorCode.InternalError, `${error.device}: ${error.reason}`);
    throw error;
  }
}

export function registerResourceHandlers(server: Server, runtime: HubRuntime, subscriptions: Set<string>): void {
  const rename = (u: Upstream, name: string) => (runtime.options.passthrough !== undefined ? name : `${u.name}_${name}`);
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: (await gather(runtime, listResources)).flatMap((l) => l.items) }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: (await gather(runtime, listTemplates)).flatMap((l) => l.items) }));
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => relay(async () => {
    const upstream = await ownerOfUri(runtime, request.params.uri);
    return upstream.request((client, signal) => client.readResource(request.params, opts(signal)), { signal: extra.signal });
  }));
  server.setRequestHandler(SubscribeRequestSchema, (request, extra) => relay(async () => {
    const upstream = await ownerOfUri(runtime, request.params.uri);
    await upstream.request((client, signal) => client.subscribeResource(request.params, opts(signal)), { signal: extra.signal });
    subscriptions.add(request.params.uri);
    return {};
  }));
  server.setRequestHandler(UnsubscribeRequestSchema, (request, extra) => relay(async () => {
    const upstream = await ownerOfUri(runtime, request.params.uri);
    await upstream.request((client, signal) => client.unsubscribeResource(request.params, opts(signal)), { signal: extra.signal });
    subscriptions.delete(request.params.uri);
    return {};
  }));
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: (await gather(runtime, listPrompts)).flatMap(({ upstream, items }) => items.map((p) => ({ ...p, name: rename(upstream, p.name) }))),
  }));
  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => relay(async () => {
    const { upstream, prompt } = promptRoute(runtime, request.params.name);
    return upstream.request((client, signal) => client.getPrompt({ ...request.params, name: prompt }, opts(signal)), { signal: extra.signal });
  }));
  server.setRequestHandler(CompleteRequestSchema, (request, extra) => relay(async () => {
    const ref = request.params.ref;
    const routed = ref.type === 'ref/prompt' ? promptRoute(runtime, ref.name) : { upstream: await ownerOfUri(runtime, ref.uri), prompt: undefined };
    const params = routed.prompt !== undefined ? { ...request.params, ref: { ...ref, name: routed.prompt } } : request.params;
    return routed.upstream.request((client, signal) => client.complete(params as typeof request.params, opts(signal)), { signal: extra.signal });
  }));
}
