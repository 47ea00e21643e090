import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { RunRequest, RunResult } from './system.js';

/** After SIGTERM to the group, how long before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After the main process exits, how long to wait for grandchildren still holding our pipes once we killed the group. */
const DRAIN_AFTER_KILL_MS = 1000;

/** Collects one output stream up to a cap, then keeps reading and discarding so the child never blocks. */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  bytes = 0;

  constructor(private readonly cap: number, stream: Readable | null) {
    stream?.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (this.kept >= this.cap) return;
      const part = chunk.length > this.cap - this.kept ? chunk.subarray(0, this.cap - this.kept) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
    });
  }

  get truncated(): boolean {
    return this.bytes > this.kept;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs a program as the leader of a new process group (detached) so timeouts, cancellation and
 * shutdown kill everything it started — `sh -c 'sleep 100 & wait'` leaves nothing behind.
 */
export function runProcess(request: RunRequest, now: () => number): Promise<RunResult> {
  const started = now();
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(request.file, request.args, {
        cwd: request.cwd, env: { ...process.env, ...request.env }, detached: true,
        stdio: [request.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve(spawnFailure(error, now() - started));
      return;
    }
    const out = new CappedOutput(request.maxOutputBytes, child.stdout);
    const err = new CappedOutput(request.maxOutputBytes, child.stderr);
    const state = { timedOut: false, aborted: undefined as string | undefined, exited: false, done: false };
    const killer = groupKiller(child);
    // Normally 'close' follows once the pipes drain; after a kill, a setsid'd grandchild may hold them forever.
    const drainAfterKill = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        setTimeout(() => finish(child.exitCode, child.signalCode), DRAIN_AFTER_KILL_MS).unref();
      }
    };
    const onAbort = () => {
      state.aborted = String(request.signal.reason ?? 'aborted');
      killer.kill();
      drainAfterKill();
    };
    const timer = setTimeout(() => {
      state.timedOut = true;
      killer.kill();
      drainAfterKill();
    }, request.timeoutMs);
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    child.stdin?.on('error', () => {}).end(request.stdin);

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (state.done) return;
      state.done = true;
      clearTimeout(timer);
      killer.cancelEscalation();
      request.signal.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        exitCode, signal, stdout: out.text(), stderr: err.text(), stdoutBytes: out.bytes, stderrBytes: err.bytes,
        stdoutTruncated: out.truncated, stderrTruncated: err.truncated, durationMs: Math.round(now() - started),
        timedOut: state.timedOut, ...(state.aborted !== undefined ? { aborted: state.aborted } : {}), ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on('error', (error) => finish(null, null, describeSpawnError(error, request)));
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', () => {
      if (killer.killed) drainAfterKill();
    });
  });
}

function groupKiller(child: ChildProcess) {
  let escalation: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const killer = {
    killed: false,
    kill() {
      if (killer.killed) return;
      killer.killed = true;
      signalGroup('SIGTERM');
      escalation = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
    },
    cancelEscalation() {
      // The group may outlive its leader (a background job); finish the kill we started.
      if (escalation) {
        clearTimeout(escalation);
        signalGroup('SIGKILL');
      }
    },
  };
  return killer;
}

function describeSpawnError(error: NodeJS.ErrnoException, request: RunRequest): string {
  if (error.code === 'ENOENT') return `${request.file}: not found (or cwd ${request.cwd ?? '/'} does not exist) (ENOENT)`;
  if (error.code === 'EACCES') return `${request.file}: permission denied (EACCES)`;
  return error.message;
}

function spawnFailure(error: unknown, durationMs: number): RunResult {
  return {
    exitCode: null, signal: null, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false,
    stderrTruncated: false, durationMs, timedOut: false, spawnError: error instanceof Error ? error.message : String(error),
  };
}
