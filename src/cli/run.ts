import { parseArgs } from 'node:util';
import { LanmcpError, isLanmcpError } from '../shared/errors.js';
import { LANMCP_VERSION } from '../shared/version.js';
import type { Command, CommandContext, CommandOutcome } from './command.js';

const EXIT_CODES: Record<Exclude<CommandOutcome, object>, number> = { ok: 0, failed: 1, changes: 2 };

/**
 * Runs one lanmcp invocation and returns its exit code. This is the only place that decides exit codes
 * and the only place that prints errors; commands return outcomes and throw LanmcpError.
 */
export async function runCli(argv: string[], context: CommandContext, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(renderGlobalHelp(commands));
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-V') {
    context.stdout.write(`${LANMCP_VERSION}\n`);
    return 0;
  }
  try {
    const command = commands.find((c) => c.name === name);
    if (!command) {
      throw new LanmcpError('E_USAGE', `unknown command "${name}"`, { hint: 'run `lanmcp --help` for the list of commands' });
    }
    // Flags after `--` belong to a remote command (`lanmcp exec lab1 -- grep --help`), not to lanmcp.
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (own.includes('--help') || own.includes('-h')) {
      context.stdout.write(`${command.help.trimEnd()}\n`);
      return 0;
    }
    const args = parseCommandArgs(command, rest);
    const outcome = await command.run(args, context);
    return typeof outcome === 'object' ? passThroughCode(outcome.passThrough) : EXIT_CODES[outcome];
  } catch (error) {
    context.stderr.write(renderError(error));
    return 1;
  }
}

/** A remote command's status as ours; anything outside 0–255 (a bug) reads as failure. */
function passThroughCode(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1;
}

function parseCommandArgs(command: Command, argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new LanmcpError('E_USAGE', `lanmcp ${command.name}: ${message}`, {
      hint: `run \`lanmcp ${command.name} --help\``,
      cause,
    });
  }
}

/** `error E_CODE: message` plus hint and cause; an unknown error is a bug and prints its stack. */
export function renderError(error: unknown): string {
  if (isLanmcpError(error)) {
    let text = `error ${error.code}: ${error.message}\n`;
    if (error.hint) text += `  hint: ${error.hint}\n`;
    const cause = error.cause;
    if (cause instanceof Error && cause.message && !error.message.includes(cause.message)) {
      text += `  cause: ${cause.message}\n`;
    }
    return text;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `error E_INTERNAL: internal error, please report it with this stack:\n${stack}\n`;
}

function renderGlobalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'lanmcp — provision MCP edge servers onto LAN devices and serve them through one hub',
    '',
    'usage: lanmcp <command> [flags]',
    '',
    'commands:',
    ...lines,
    '',
    'common flags: -i/--inventory FILE (default: $LANMCP_INVENTORY or ./inventory.yaml), --json, --help',
    'lanmcp --version prints the version; `lanmcp <command> --help` describes one command.',
    '',
  ].join('\n');
}
