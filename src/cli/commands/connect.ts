// `lanmcp connect CLIENT`: ready-to-paste MCP client configuration with the hub's URL and a client token.
import { hostname } from 'node:os';
import { loadInventory } from '../../inventory/load.js';
import type { Device, ResolvedHub } from '../../inventory/types.js';
import { planHubEndpoint } from '../../hubhost/hub-url.js';
import { createClientTokenStore, type ClientTokenStore } from '../../secrets/client-tokens.js';
import { formatDiagnostic, hasErrors } from '../../shared/diagnostics.js';
import { LanmcpError } from '../../shared/errors.js';
import { inventoryOption, inventoryPath, type Command, type CommandContext } from '../command.js';
import { CLIENT_KINDS, isClientKind, renderClientConfig, TOKEN_ENV } from '../views/connect-view.js';
import { stateDirOf } from '../../inventory/paths.js';

const DEFAULT_TOKEN_NAME = 'default';
/** Clients that take the token another way than the LANMCP_TOKEN environment variable. */
const USE_TOKEN: Record<string, string> = { desktop: 'paste it into the config in place of PASTE-A-CLIENT-TOKEN-HERE', vscode: 'enter it when VS Code asks for it' };

export const connectCommand: Command = {
  name: 'connect',
  summary: 'print ready-to-paste config for an MCP client (claude, cursor, vscode, codex, desktop, json)',
  help: [
    `usage: lanmcp connect ${CLIENT_KINDS.join('|')} [-i FILE] [--token-name NAME]`,
    '',
    "Prints the configuration for that client on stdout, with the hub's URL (hub.public_url; else, with",
    "hub.host, that device's address and hub.listen's port; else hub.listen, 0.0.0.0 becoming this machine's",
    "name) and a client token. A hub on hub.host learns a new token at the next `lanmcp apply`. Tokens are stored hashed, so an existing one",
    'cannot be printed again: when none exists, a token named "default" is created and printed; with',
    '--token-name NAME a new token NAME is created; otherwise the config names the environment variable',
    `${TOKEN_ENV} (where the client expands variables) and stderr says how to make a token.`,
    '`json` prints exactly {"url": URL, "headers": {"Authorization": "Bearer TOKEN"}}.',
    'Secrets go to stdout only; notes and hints go to stderr.',
    '',
    '  -i, --inventory FILE   the inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)',
    '  --token-name NAME      create a new client token with this name for this client',
    '',
    'exit: 0 printed, 1 unknown client, invalid inventory or a token name already taken',
  ].join('\n'),
  options: { ...inventoryOption, 'token-name': { type: 'string' } },
  allowPositionals: true,
  async run(args, context) {
    const [kind, ...extra] = args.positionals;
    if (!kind || !isClientKind(kind) || extra.length > 0) {
      throw new LanmcpError('E_USAGE', kind ? `lanmcp connect: unknown client "${[kind, ...extra].join(' ')}"` : 'lanmcp connect needs a client', { hint: `use one of ${CLIENT_KINDS.join(', ')}` });
    }
    const file = inventoryPath(args, context);
    const { hub, devices } = await loadHub(file, context);
    const store = createClientTokenStore(stateDirOf(file, context.cwd));
    const token = issueToken(store, args.values['token-name'] as string | undefined, context);
    const url = planHubEndpoint(hub, devices, hostname()).url;
    const config = renderClientConfig(kind, { url, ...(token ? { token } : {}) });
    context.stdout.write(config.stdout);
    const notes = [...config.notes];
    if (!token) notes.push(...placeholderNotes(store, kind));
    // The hub host knows client tokens only from its config: a token made here works there after an apply.
    else if (hub.host) notes.push(`The hub runs on ${hub.host}: run \`lanmcp apply\` so it accepts this new token.`);
    if (notes.length > 0) context.stderr.write(`${notes.join('\n')}\n`);
    return 'ok';
  },
};

async function loadHub(file: string, context: CommandContext): Promise<{ hub: ResolvedHub; devices: Device[] }> {
  const inventory = await loadInventory(file, { cwd: context.cwd, ...(context.env.HOME ? { homeDir: context.env.HOME } : {}) });
  if (hasErrors(inventory.diagnostics) || !inventory.hub) {
    for (const d of inventory.diagnostics) context.stderr.write(`${formatDiagnostic(d)}\n`);
    throw new LanmcpError('E_INVENTORY_INVALID', `${file} is invalid`, { hint: `run \`lanmcp validate -i ${file}\`` });
  }
  return { hub: inventory.hub, devices: inventory.devices ?? [] };
}

/** A token created now (the only time it can be shown), or undefined when tokens exist and none was asked for. */
function issueToken(store: ClientTokenStore, name: string | undefined, context: CommandContext): string | undefined {
  if (name === undefined && store.list().length > 0) return undefined;
  const tokenName = name ?? DEFAULT_TOKEN_NAME;
  const token = store.create(tokenName);
  const record = store.list().find((r) => r.name === tokenName)!;
  context.stderr.write(`Created client token "${tokenName}" (${record.fingerprint}) in ${store.file}; it is in the config below and shown only now.\n`);
  return token;
}

function placeholderNotes(store: ClientTokenStore, kind: string): string[] {
  const names = store.list().map((r) => r.name).join(', ');
  return [
    `Client tokens exist (${names}) but are stored hashed, so none can be printed again.`,
    `Create one for this client with \`lanmcp connect ${kind} --token-name NAME\` (or \`lanmcp token create NAME\`), then ${USE_TOKEN[kind] ?? `set ${TOKEN_ENV} to it`}.`,
  ];
}
