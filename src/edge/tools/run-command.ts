import { fingerprint } from '../audit.js';
import { decideCommand, type CommandSpec } from '../policy.js';
import { decideCommandText } from '../protected-paths.js';
import type { RunResult } from '../system.js';
import { failure, refusal, type EdgeTool, type ToolOutcome } from './tool.js';

const outputSchema = {
  type: 'object',
  properties: {
    exit_code: { type: ['integer', 'null'], description: 'null when killed by a signal' },
    signal: { type: ['string', 'null'] },
    stdout: { type: 'string' },
    stderr: { type: 'string' },
    stdout_bytes: { type: 'integer', description: 'bytes the command wrote, including any past the cap' },
    stderr_bytes: { type: 'integer' },
    stdout_truncated: { type: 'boolean' },
    stderr_truncated: { type: 'boolean' },
    duration_ms: { type: 'integer' },
    timeout_s: { type: 'integer', description: 'the timeout that applied' },
    timed_out: { type: 'boolean' },
    cancelled: { type: 'boolean' },
  },
  required: ['exit_code', 'signal', 'stdout', 'stderr', 'stdout_truncated', 'stderr_truncated', 'duration_ms', 'timed_out', 'cancelled'],
};

/** run_command: a shell string through /bin/sh -c, or an argv run directly, in its own process group. */
export const runCommandTool: EdgeTool = {
  name: 'run_command',
  title: 'Run a command',
  description:
    'Run a command on this device. Pass `command` (a shell string, run with /bin/sh -c) or `argv` (program and arguments, no shell; ' +
    'the form command allow lists can enforce). Optional cwd, env, stdin and timeout_s (capped by the device policy). The whole ' +
    'process group is killed on timeout or cancellation. Returns exit code, signal, stdout and stderr (each capped, with a truncated flag) and duration.',
  inputSchema: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, description: 'Shell command line, run with /bin/sh -c.' },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments, run without a shell.' },
      cwd: { type: 'string', minLength: 1, description: 'Working directory (default: /).' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables.' },
      stdin: { type: 'string', description: 'Text written to the command\'s standard input.' },
      timeout_s: { type: 'integer', minimum: 1, maximum: 86400, description: 'Seconds before the process group is killed (at most the policy timeout).' },
    },
    additionalProperties: false,
  },
  outputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  redact: (args) => ({
    ...args,
    ...(args.env ? { env: Object.fromEntries(Object.keys(args.env as object).map((k) => [k, '[redacted]'])) } : {}),
    ...(typeof args.stdin === 'string' ? { stdin: fingerprint(args.stdin) } : {}),
  }),
  async call(args, { config, system, signal }) {
    const spec = commandSpec(args);
    if (typeof spec === 'string') return failure(`invalid arguments: ${spec}`);
    const words = 'argv' in spec ? spec.argv : [spec.shell];
    for (const decision of [decideCommand(config.policy, spec), decideCommandText(words, config.protected_paths)]) {
      if (!decision.allowed) return refusal(decision);
    }
    const timeoutS = Math.min((args.timeout_s as number | undefined) ?? config.policy.timeout_s, config.policy.timeout_s);
    const [file, ...rest] = 'argv' in spec ? spec.argv : ['/bin/sh', '-c', spec.shell];
    const run = await system.run({
      file: file!, args: rest, cwd: (args.cwd as string | undefined) ?? '/', env: args.env as Record<string, string> | undefined,
      stdin: args.stdin as string | undefined, timeoutMs: timeoutS * 1000, maxOutputBytes: config.policy.max_output_bytes, signal,
    });
    return runOutcome(run, timeoutS);
  },
};

function commandSpec(args: Record<string, unknown>): CommandSpec | string {
  if (args.command !== undefined && args.argv !== undefined) return 'pass either command or argv, not both';
  if (typeof args.command === 'string') return { shell: args.command };
  if (Array.isArray(args.argv)) return { argv: args.argv as string[] };
  return 'command (a shell string) or argv (an array) is required';
}

function runOutcome(run: RunResult, timeoutS: number): ToolOutcome {
  const audit = { exit_code: run.exitCode, bytes: run.stdoutBytes + run.stderrBytes };
  if (run.spawnError) return failure(`could not start the command: ${run.spawnError}`, audit);
  const structured = {
    exit_code: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr,
    stdout_bytes: run.stdoutBytes, stderr_bytes: run.stderrBytes,
    stdout_truncated: run.stdoutTruncated, stderr_truncated: run.stderrTruncated,
    duration_ms: run.durationMs, timeout_s: timeoutS, timed_out: run.timedOut, cancelled: run.aborted !== undefined,
  };
  const isError = run.timedOut || run.aborted !== undefined;
  const text = [headline(run, timeoutS), section('stdout', run.stdout, run.stdoutTruncated, run.stdoutBytes), section('stderr', run.stderr, run.stderrTruncated, run.stderrBytes)]
    .filter((s) => s !== '')
    .join('\n');
  return { result: { content: [{ type: 'text', text }], structuredContent: structured, ...(isError ? { isError } : {}) }, audit: { decision: 'allowed', ...audit } };
}

function headline(run: RunResult, timeoutS: number): string {
  const end = run.timedOut ? `timed out after ${timeoutS} s; process group killed`
    : run.aborted !== undefined ? `cancelled (${run.aborted}); process group killed`
    : run.signal ? `killed by ${run.signal}` : `exit ${run.exitCode}`;
  return `${end} · ${run.durationMs} ms`;
}

function section(name: string, text: string, truncated: boolean, bytes: number): string {
  if (text === '') return '';
  const note = truncated ? `\n[${name} truncated: ${bytes} bytes written, first ${Buffer.byteLength(text)} shown]` : '';
  return `--- ${name} ---\n${text}${note}`;
}
