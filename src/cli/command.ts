import type { ParseArgsConfig } from 'node:util';

/** What a command reports back; only `cli/main.ts` turns it into an exit code (README: "Exit codes"). */
export type CommandOutcome =
  | 'ok' //            exit 0
  | 'failed' //        exit 1: invalid input, a failed or unreachable device
  | 'changes' //       exit 2: `diff` found changes pending
  | { passThrough: number }; // `exec` on one device: that command's own exit status (0–255)

/** The world a command may touch: streams and environment are passed in so tests can run commands in-process. */
export interface CommandContext {
  /** Data (JSON, plans) goes here. */
  stdout: NodeJS.WritableStream;
  /** Humans (progress, diagnostics, hints) read this. */
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin and stderr are terminals: decides prompts and renderers. */
  interactive: boolean;
}

/** Parsed flags and positionals as `node:util` parseArgs returns them. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for `lanmcp --help`. */
  summary: string;
  /** The text of `lanmcp <name> --help`: usage line, then one line per flag. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether positionals are accepted (most commands take none). */
  allowPositionals?: boolean;
  run(args: CommandArgs, context: CommandContext): Promise<CommandOutcome>;
}

/** Flags shared by commands that read an inventory. */
export const inventoryOption = { inventory: { type: 'string', short: 'i' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** The inventory path: `-i`, else `LANMCP_INVENTORY`, else `inventory.yaml` in the working directory. */
export function inventoryPath(args: CommandArgs, context: CommandContext): string {
  const flag = args.values.inventory;
  if (typeof flag === 'string' && flag !== '') return flag;
  return context.env.LANMCP_INVENTORY || 'inventory.yaml';
}
