// `lanmcp exec`: one result per device (plain JSON, what --json prints) and the parallel-ssh style text. Pure.

/** How one device's run ended; `error` is set when the command did not run to an exit code of 0. */
export interface ExecResult {
  host: string;
  ok: boolean;
  /** null: killed by a signal, timed out, or never started (device down, refused by policy). */
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Output went past the device's max_output_bytes: what is shown is the beginning. */
  truncated: boolean;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  timed_out: boolean;
  duration_ms: number;
  error?: string;
}

/** What the edge's run_command returns as structuredContent (see src/edge/tools/run-command.ts). */
export interface RunCommandOutput {
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  stdout_bytes?: number;
  stderr_bytes?: number;
  timed_out: boolean;
  cancelled?: boolean;
}

/** A hub tool result for one device as an ExecResult; `text` is the result's text (the reason when there is no output). */
export function planExecResult(host: string, output: RunCommandOutput | undefined, isError: boolean, text: string, durationMs: number): ExecResult {
  const firstLine = text.split('\n')[0] || 'failed';
  if (!output) {
    return {
      host, ok: false, exit_code: null, signal: null, stdout: '', stderr: '', truncated: false, stdout_truncated: false,
      stderr_truncated: false, timed_out: false, duration_ms: durationMs, error: firstLine,
    };
  }
  const ok = !isError && output.exit_code === 0;
  const error = ok ? undefined : isError ? firstLine : output.exit_code === null ? `killed by ${output.signal ?? 'a signal'}` : `exit ${output.exit_code}`;
  return {
    host, ok, exit_code: output.exit_code, signal: output.signal, stdout: output.stdout, stderr: output.stderr,
    truncated: output.stdout_truncated || output.stderr_truncated,
    stdout_truncated: output.stdout_truncated, stderr_truncated: output.stderr_truncated,
    timed_out: output.timed_out, duration_ms: durationMs, ...(error ? { error } : {}),
  };
}

function linesOf(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/**
 * One device's output: `lab1 | line` for stdout, `lab1 ! line` for stderr; `width` pads names so the
 * bars of several devices line up. Stdout and stderr come back separately, so they are returned separately.
 */
export function renderExecOutput(result: ExecResult, width = result.host.length): { stdout: string; stderr: string } {
  const name = result.host.padEnd(width);
  const out = linesOf(result.stdout).map((line) => `${name} | ${line}\n`);
  const err = linesOf(result.stderr).map((line) => `${name} ! ${line}\n`);
  if (result.stdout_truncated) err.push(`${name} ! [stdout truncated at the device's max_output_bytes]\n`);
  if (result.stderr_truncated) err.push(`${name} ! [stderr truncated at the device's max_output_bytes]\n`);
  if (result.exit_code === null && result.error) err.push(`${name} ! ${result.error}\n`);
  return { stdout: out.join(''), stderr: err.join('') };
}

/** The per-device exit summary, in the order given, then `2 ok, 1 failed`. */
export function renderExecSummary(results: readonly ExecResult[]): string {
  const width = Math.max(...results.map((r) => r.host.length));
  const lines = results.map((r) => {
    const end = r.exit_code !== null ? `exit ${r.exit_code}` : r.timed_out ? 'timed out' : r.signal ? `killed by ${r.signal}` : 'did not run';
    const why = r.exit_code === null && r.error ? ` (${r.error})` : '';
    return `${r.ok ? '✓' : '✗'} ${r.host.padEnd(width)}  ${end}${why} · ${r.duration_ms} ms${r.truncated ? ' · output truncated' : ''}`;
  });
  const failed = results.filter((r) => !r.ok).length;
  return `${[...lines, `${results.length - failed} ok, ${failed} failed`].join('\n')}\n`;
}

/** `--json`: one object per device, one per line. */
export function renderExecJson(result: ExecResult): string {
  return `${JSON.stringify(result)}\n`;
}

/**
 * What the run ends with: a single device's own exit code (1 when it never produced one), or for many
 * devices 0 when every one exited 0, else 1.
 */
export function execExitCode(results: readonly ExecResult[]): number {
  if (results.length === 1) return results[0]!.exit_code ?? 1;
  return results.every((r) => r.ok) ? 0 : 1;
}
