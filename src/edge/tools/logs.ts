import { failure, success, type EdgeTool } from './tool.js';

const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** logs: journalctl by unit, lines, since and priority (argv, never a shell). */
export const logsTool: EdgeTool = {
  name: 'logs',
  title: 'Read the journal',
  description:
    'Read the systemd journal on this device (journalctl): optionally one unit, the last N lines (default 100), entries since a ' +
    'time ("2024-05-01 10:00", "-1h", "today", "yesterday") and at or above a priority (emerg … debug). Output is capped at max_output_bytes.',
  inputSchema: {
    type: 'object',
    properties: {
      unit: { type: 'string', pattern: '^[A-Za-z0-9_:.@\\\\][A-Za-z0-9_:.@\\\\-]{0,254}$', description: 'Only this unit, e.g. "ssh".' },
      lines: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'How many of the newest lines.' },
      since: { type: 'string', pattern: '^[0-9A-Za-z :+.-]{1,64}$', description: 'journalctl --since value.' },
      priority: { type: 'string', enum: PRIORITIES, description: 'Lowest priority to include.' },
    },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: {
      unit: { type: ['string', 'null'] }, lines: { type: 'integer' }, text: { type: 'string' },
      truncated: { type: 'boolean' }, exit_code: { type: ['integer', 'null'] },
    },
    required: ['unit', 'lines', 'text', 'truncated', 'exit_code'],
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async call(args, { config, system, signal }) {
    const lines = (args.lines as number | undefined) ?? 100;
    const argv = ['--no-pager', '--output=short-iso', `--lines=${lines}`];
    if (typeof args.unit === 'string') argv.push(`--unit=${args.unit}`);
    if (typeof args.since === 'string') argv.push(`--since=${args.since}`);
    if (typeof args.priority === 'string') argv.push(`--priority=${args.priority}`);
    const run = await system.run({
      file: 'journalctl', args: argv, timeoutMs: config.policy.timeout_s * 1000, maxOutputBytes: config.policy.max_output_bytes, signal,
    });
    if (run.spawnError) return failure(`logs: could not run journalctl: ${run.spawnError}`);
    const audit = { exit_code: run.exitCode, bytes: run.stdoutBytes };
    if (run.exitCode !== 0) return failure(`logs: journalctl ${argv.join(' ')} failed (exit ${run.exitCode}): ${run.stderr.trim()}`, audit);
    const text = run.stdout;
    const structured = { unit: (args.unit as string | undefined) ?? null, lines, text, truncated: run.stdoutTruncated, exit_code: run.exitCode };
    return success(text === '' ? '(no journal entries)' : text + (run.stdoutTruncated ? '\n[truncated at max_output_bytes]' : ''), structured, audit);
  },
};
