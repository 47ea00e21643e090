// `lanmcp hub`: runs the hub in the foreground until SIGINT/SIGTERM.
import { parseListen } from '../../inventory/hub.js';
import { LanmcpError } from '../../shared/errors.js';
import { loadHubOptions, startHub, type RunningHub } from '../../hub/start.js';
import type { UpstreamStatus } from '../../hub/upstreams/types.js';
import type { Command, CommandContext } from '../command.js';
import { inventoryOption, inventoryPath } from '../command.js';

export const hubCommand: Command = {
  name: 'hub',
  summary: 'run the hub: one authenticated MCP endpoint for every device',
  help: [
    'usage: lanmcp hub [-i FILE] [--listen HOST:PORT]',
    '',
    'Serves MCP (Streamable HTTP) at http://HOST:PORT/mcp for AI agents (https:// when the inventory has',
    "hub.tls: {cert_file, key_file}), and forwards each call to the device's edge with that edge's own",
    'token (or to a kind: mcp server). Clients authenticate with a client token (`lanmcp token create',
    'NAME`). Also: GET /healthz, GET /metrics (Prometheus).',
    'Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.',
    '',
    '  -i, --inventory FILE   the inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)',
    '  --listen HOST:PORT     where to listen (default: hub.listen, 127.0.0.1:8765)',
    '',
    'exit: 0 after a clean stop, 1 invalid inventory, address in use or a bad hub.tls certificate/key',
  ].join('\n'),
  options: { ...inventoryOption, listen: { type: 'string' } },
  async run(args, context) {
    const listen = typeof args.values.listen === 'string' ? parseListenFlag(args.values.listen) : undefined;
    await serveHubInForeground(inventoryPath(args, context), context, listen);
    return 'ok';
  },
};

/** Loads the hub from an inventory, listens, reports the upstreams, and serves until SIGINT/SIGTERM (also `lanmcp apply`'s last step). */
export async function serveHubInForeground(file: string, context: CommandContext, listen?: { host: string; port: number }): Promise<void> {
  const loaded = await loadHubOptions(file, context.env, { cwd: context.cwd, ...(listen ? { listen } : {}) });
  if (loaded.hub.host) {
    // Allowed (a second hub for a test, or while the device is away), but rarely what the user meant.
    context.stderr.write(`Note: hub.host is ${loaded.hub.host}: \`lanmcp apply\` runs the hub as a service there; this starts a second hub on this machine.\n`);
  }
  const hub = await startHub(loaded.options);
  context.stderr.write(renderStartup(hub.url, hub.upstreams()));
  if (loaded.clientTokens.list().length === 0) {
    context.stderr.write('No client tokens yet: every request gets 401 until you run `lanmcp token create NAME`.\n');
  }
  await waitForStop(hub, context);
}

function parseListenFlag(value: string): { host: string; port: number } {
  try {
    const parsed = parseListen(value);
    if (!Number.isInteger(parsed.port) || parsed.port < 0 || parsed.port > 65535) throw new Error('port out of range');
    return parsed;
  } catch (cause) {
    throw new LanmcpError('E_USAGE', `--listen "${value}" is not HOST:PORT`, { hint: 'e.g. --listen 127.0.0.1:8765 or --listen [::1]:8765', cause });
  }
}

/** `lanmcp hub: listening on URL` then one line per upstream. */
export function renderStartup(url: string, upstreams: readonly UpstreamStatus[]): string {
  const up = upstreams.filter((u) => u.status === 'up').length;
  const lines = [`lanmcp hub: listening on ${url} — ${up}/${upstreams.length} upstreams up`];
  for (const u of upstreams) {
    lines.push(`  ${u.status === 'up' ? '✓' : '✗'} ${u.name} (${u.kind}) ${u.status === 'up' ? `up ${u.latency_ms ?? '?'} ms${u.version ? ` v${u.version}` : ''}` : `down: ${u.error ?? 'unknown'}`}`);
  }
  return `${lines.join('\n')}\n`;
}

async function waitForStop(hub: RunningHub, context: CommandContext): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(s);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  context.stderr.write(`lanmcp hub: ${signal}, closing sessions and upstream connections\n`);
  await hub.close();
}
