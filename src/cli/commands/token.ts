// `lanmcp token create|list|revoke`: the hub's client tokens, kept hashed in .lanmcp/clients.json.
import { LanmcpError } from '../../shared/errors.js';
import { createClientTokenStore, tokenFingerprint } from '../../secrets/client-tokens.js';
import type { Command } from '../command.js';
import { inventoryOption, inventoryPath, jsonOption } from '../command.js';
import { stateDirOf } from '../../inventory/paths.js';
import { loadInventory } from '../../inventory/load.js';
import type { CommandContext } from '../command.js';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list or revoke the bearer tokens MCP clients use with the hub',
  help: [
    'usage: lanmcp token create NAME | list [--json] | revoke NAME  [-i FILE]',
    '',
    'Client tokens live hashed (SHA-256) in .lanmcp/clients.json next to the inventory (0600).',
    '`create` prints the new token once, on stdout; `list` shows names, fingerprints and dates, never a',
    'token; `revoke` removes one, and a running hub refuses it from its next request on.',
    'With hub.host, the hub on that device knows only the hashes its config carries: after create or',
    'revoke, run `lanmcp apply` (it rewrites the config and restarts that hub).',
    '',
    '  -i, --inventory FILE  the inventory whose .lanmcp/ folder holds the tokens (default: ./inventory.yaml)',
    '  --json                list: print the records as JSON on stdout',
    '',
    'exit: 0 done, 1 unknown token name or bad usage',
  ].join('\n'),
  options: { ...inventoryOption, ...jsonOption },
  allowPositionals: true,
  async run(args, context) {
    const [action, name, ...extra] = args.positionals;
    const file = inventoryPath(args, context);
    const stateDir = stateDirOf(file, context.cwd);
    const store = createClientTokenStore(stateDir);
    const needName = () => {
      if (!name || extra.length > 0) throw new LanmcpError('E_USAGE', `lanmcp token ${action} takes exactly one NAME`, { hint: `e.g. \`lanmcp token ${action} laptop\`` });
      return name;
    };
    switch (action) {
      case 'create': {
        const token = store.create(needName());
        const record = store.list().find((r) => r.name === name)!;
        context.stdout.write(`${token}\n`);
        context.stderr.write(`Created client token "${name}" (${record.fingerprint}) in ${store.file}.\nIt is shown only now: put it in your MCP client's config as "Authorization: Bearer <token>".\n`);
        await noteHubHost(file, context, 'accepts it');
        return 'ok';
      }
      case 'list':
        return listTokens(store, args.values.json === true, context);
      case 'revoke': {
        if (!store.revoke(needName())) {
          throw new LanmcpError('E_CLIENT_TOKENS', `no client token named "${name}"`, { hint: 'run `lanmcp token list` to see the names' });
        }
        const host = await hubHostOf(file, context);
        context.stderr.write(host
          ? `Revoked client token "${name}" here; the hub on ${host} accepts it until \`lanmcp apply\` rewrites its config.\n`
          : `Revoked client token "${name}"; a running hub refuses it from its next request.\n`);
        return 'ok';
      }
      default:
        throw new LanmcpError('E_USAGE', action ? `unknown token action "${action}"` : 'lanmcp token needs an action', { hint: 'use create NAME, list or revoke NAME' });
    }
  },
};

function listTokens(store: ReturnType<typeof createClientTokenStore>, json: boolean, context: Parameters<Command['run']>[1]): 'ok' {
  const tokens = store.list().map(({ name, sha256, created, last_used }) => ({ name, fingerprint: tokenFingerprint(sha256), created, ...(last_used ? { last_used } : {}) }));
  if (json) {
    context.stdout.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
    return 'ok';
  }
  if (tokens.length === 0) {
    context.stderr.write('No client tokens yet: create one with `lanmcp token create NAME`.\n');
    return 'ok';
  }
  const width = Math.max(4, ...tokens.map((t) => t.name.length));
  context.stdout.write(`${'NAME'.padEnd(width)}  FINGERPRINT          CREATED                   LAST USED\n`);
  for (const t of tokens) context.stdout.write(`${t.name.padEnd(width)}  ${t.fingerprint}  ${t.created}  ${t.last_used ?? 'never'}\n`);
  return 'ok';
}

/** hub.host of the inventory, when it can be read (token commands work without a valid inventory too). */
async function hubHostOf(file: string, context: CommandContext): Promise<string | undefined> {
  try {
    const inventory = await loadInventory(file, { cwd: context.cwd, ...(context.env.HOME ? { homeDir: context.env.HOME } : {}) });
    return inventory.hub?.host;
  } catch {
    return undefined;
  }
}

async function noteHubHost(file: string, context: CommandContext, what: string): Promise<void> {
  const host = await hubHostOf(file, context);
  if (host) context.stderr.write(`The hub runs on ${host}: run \`lanmcp apply\` so it ${what}.\n`);
}
