import { PassThrough } from 'node:stream';
import { commands as allCommands } from '../../src/cli/commands/index.js';
import type { Command } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON lines (commands that print one object per device). */
  jsonLines<T>(): T[];
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default: every lanmcp command. */
  commands?: readonly Command[];
}

/** Runs one lanmcp invocation in-process, exactly as the CLI entry would, with stdout and stderr captured. */
export async function runLanmcp(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = capture();
  const stderr = capture();
  const context = { stdout: stdout.stream, stderr: stderr.stream, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), interactive: false };
  const code = await runCli(argv, context, options.commands ?? allCommands);
  const out = stdout.text();
  return { code, stdout: out, stderr: stderr.text(), jsonLines: <T>() => out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T) };
}
