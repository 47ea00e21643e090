// The hub's tool list and how each name routes. Pure: devices and upstream tool lists in, tools out.
// The list is stable as the fleet grows (the device is an argument); only `kind: mcp` upstreams add tools.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ALL_TOOLS, describeTool } from '../../edge/tools/index.js';
import type { UpstreamSpec } from '../upstreams/types.js';
import { adminToolOf, networkResourcesTool, runOnManyTool } from './builtin-schemas.js';

export type ToolRoute =
  | { kind: 'network_resources' }
  | { kind: 'run_on_many' }
  | { kind: 'edge'; tool: string }
  | { kind: 'admin'; device: string }
  | { kind: 'upstream'; device: string; tool: string };

export interface HubCatalog {
  tools: Tool[];
  routes: Map<string, ToolRoute>;
  /** Upstream tools left out, with why (invalid name, collision): shown by network_resources. */
  skipped: { device: string; tool: string; reason: string }[];
}

export const TOOL_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

export interface CatalogInput {
  specs: readonly UpstreamSpec[];
  upstreamTools: ReadonlyMap<string, readonly Tool[]>;
  perDeviceTools: boolean;
  /** Test mode: this upstream's tools under their own names, nothing else. */
  passthrough?: string;
}

/** An edge tool as the hub lists it: the edge's schema plus `host`, an enum of the edge device names. */
export function hubEdgeTool(edgeTool: (typeof ALL_TOOLS)[number], edgeNames: readonly string[]): Tool {
  const described = describeTool(edgeTool) as unknown as Tool & { inputSchema: { properties?: Record<string, unknown>; required?: string[] } };
  const host = { type: 'string', enum: [...edgeNames], description: 'The device to run this on (network_resources lists them with their status).' };
  return {
    ...described,
    description: `${edgeTool.description.replace(/\bon this device\b/g, 'on the device named by `host`').replace(/\bthis device\b/g, 'the device')}`,
    inputSchema: {
      ...described.inputSchema,
      properties: { host, ...(described.inputSchema.properties ?? {}) },
      required: ['host', ...(described.inputSchema.required ?? [])],
    },
  };
}

export function planCatalog(input: CatalogInput): HubCatalog {
  const routes = new Map<string, ToolRoute>();
  const tools: Tool[] = [];
  const skipped: HubCatalog['skipped'] = [];
  const add = (tool: Tool, route: ToolRoute) => { tools.push(tool); routes.set(tool.name, route); };
  if (input.passthrough !== undefined) {
    for (const tool of input.upstreamTools.get(input.passthrough) ?? []) add(tool, { kind: 'upstream', device: input.passthrough, tool: tool.name });
    return { tools, routes, skipped };
  }
  const edges = input.specs.filter((s) => s.kind === 'edge');
  const edgeNames = edges.map((s) => s.name);
  add(networkResourcesTool, { kind: 'network_resources' });
  if (edgeNames.length > 0) {
    for (const edgeTool of ALL_TOOLS) add(hubEdgeTool(edgeTool, edgeNames), { kind: 'edge', tool: edgeTool.name });
    add(runOnManyTool(edgeNames), { kind: 'run_on_many' });
  }
  if (input.perDeviceTools) for (const edge of edges) add(adminToolOf(edge), { kind: 'admin', device: edge.name });
  for (const spec of input.specs.filter((s) => s.kind === 'mcp')) {
    for (const tool of input.upstreamTools.get(spec.name) ?? []) {
      const name = `${spec.name}_${tool.name}`;
      const reason = !TOOL_NAME_RE.test(name) ? `"${name}" is not a valid MCP tool name (^[A-Za-z0-9_-]{1,64}$)`
        : routes.has(name) ? `"${name}" collides with another hub tool` : undefined;
      if (reason) skipped.push({ device: spec.name, tool: tool.name, reason });
      else add({ ...tool, name, description: `[${spec.name}] ${tool.description ?? tool.title ?? tool.name}` }, { kind: 'upstream', device: spec.name, tool: tool.name });
    }
  }
  return { tools, routes, skipped };
}
