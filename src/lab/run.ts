import { spawn } from 'node:child_process';
import { LanmcpError } from '../shared/errors.js';
import { quote } from '../remote/shell.js';

/** What a finished command left behind. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin, which is otherwise empty. */
  input?: string | Buffer;
  /** Kill the command (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** Return a non-zero exit as a result instead of throwing. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs argv (no shell) and collects its output. A non-zero exit throws E_LAB_FAILED
 * `Command failed with exit code N: <cmd>` with stderr attached, unless `allowFailure` is set; a command
 * that cannot start (ENOENT) always throws, with the spawn error as cause.
 */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new LanmcpError('E_INTERNAL', 'runCommand needs a non-empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: withSbinPath(options.env ?? process.env) });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined); // a command that ignores its stdin may close it early
    child.stdin.end(options.input ?? '');
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new LanmcpError('E_LAB_FAILED', `Command could not start: ${renderArgv(argv)}`, { cause, hint: `is ${file} installed?` }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128 + signalNumber(signal), stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
      if (result.code === 0 || options.allowFailure) return resolve(result);
      reject(commandFailed(argv, result, timedOut ? options.timeoutMs : undefined));
    });
  });
}

/** The E_LAB_FAILED error for a command that exited non-zero, its stderr kept in the message. */
export function commandFailed(argv: readonly string[], result: CommandResult, timeoutMs?: number): LanmcpError {
  const reason = timeoutMs === undefined ? `exit code ${result.code}` : `timeout after ${timeoutMs} ms`;
  const detail = result.stderr.trim() || result.stdout.trim();
  const message = `Command failed with ${reason}: ${renderArgv(argv)}${detail ? `\n${indent(detail)}` : ''}`;
  return new LanmcpError('E_LAB_FAILED', message, { cause: Object.assign(new Error(detail || reason), { result }) });
}

/** argv as a copy-pasteable shell line (long arguments such as scripts are shortened). */
export function renderArgv(argv: readonly string[]): string {
  return argv.map((arg) => quote(arg.length > 120 ? `${arg.slice(0, 117)}...` : arg)).join(' ');
}

/** Wraps a lab error with the step it belongs to, keeping the original as cause. */
export function labStepFailed(step: string, cause: unknown, hint?: string): LanmcpError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new LanmcpError('E_LAB_FAILED', `${step}: ${message}`, hint === undefined ? { cause } : { cause, hint });
}

// `sudo` and non-login shells may leave the sbin directories (ip, mount, debootstrap) off PATH.
function withSbinPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dirs = (env.PATH ?? '/usr/bin:/bin').split(':');
  const missing = ['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((dir) => !dirs.includes(dir));
  return missing.length === 0 ? env : { ...env, PATH: [...dirs, ...missing].join(':') };
}

function indent(text: string): string {
  const lines = text.split('\n');
  const kept = lines.length > 20 ? [...lines.slice(0, 5), '...', ...lines.slice(-14)] : lines;
  return kept.map((line) => `    ${line}`).join('\n');
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 0;
}
