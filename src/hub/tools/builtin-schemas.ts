// Schemas of the hub's own tools (network_resources, run_on_many, <device>_admin). Pure data.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamSpec } from '../upstreams/types.js';

export const networkResourcesTool: Tool = {
  name: 'network_resources',
  title: 'List network devices',
  description:
    'List every device this hub manages: name, kind (edge = provisioned by lanmcp, mcp = an existing MCP server), address or URL, ' +
    'description, tags, groups, status (up/down, since, last seen, latency), edge version and the tools its policy enables. ' +
    'Call this first to pick a `host` for the other tools.',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

export function runOnManyTool(edgeNames: readonly string[]): Tool {
  return {
    name: 'run_on_many',
    title: 'Run a command on many devices',
    description:
      'Run one command on several devices in parallel and get one result row per device (exit code, stdout, stderr, duration). ' +
      '`target` is "all", a group, a tag, a device name, a glob, or a list of device names. A device that is down or refuses ' +
      'the command is a failed row; the other devices still run. Pass `command` (shell string) or `argv` (no shell).',
    inputSchema: {
      type: 'object',
      properties: {
        target: {
          description: '"all", a group, a tag, a glob like "pi-*", or an array of device names.',
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', enum: [...edgeNames] }, minItems: 1 }],
        },
        command: { type: 'string', minLength: 1, description: 'Shell command line, run with /bin/sh -c on each device.' },
        argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments, run without a shell.' },
        cwd: { type: 'string', minLength: 1, description: 'Working directory (default: /).' },
        env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables.' },
        timeout_s: { type: 'integer', minimum: 1, maximum: 86400, description: 'Per-device timeout in seconds (at most each device policy\'s timeout).' },
        max_parallel: { type: 'integer', minimum: 1, maximum: 256, description: 'Devices running at once (default 16).' },
      },
      required: ['target'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  };
}

/** `<device>_admin`: one tool per edge for clients that prefer that; `tool` names the edge tool to run. */
export function adminToolOf(spec: UpstreamSpec): Tool {
  return {
    name: `${spec.name}_admin`,
    title: `Administer ${spec.name}`,
    description:
      `Run an edge tool on ${spec.name}${spec.description ? ` (${spec.description})` : ''}. \`tool\` is one of ${spec.enabledTools.join(', ')}; ` +
      '`arguments` are that tool\'s arguments (see the tool of the same name, without `host`).',
    inputSchema: {
      type: 'object',
      properties: {
        tool: { type: 'string', enum: spec.enabledTools.length > 0 ? [...spec.enabledTools] : ['system_info'], description: 'The edge tool to run.' },
        arguments: { type: 'object', description: 'Arguments of that tool.' },
      },
      required: ['tool'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  };
}
