import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { RunRequest, RunResult } from './system.js';

/** After SIGTERM to the group, how long before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After we killed the group and its leader exited, how long to wait for grandchildren still holding our pipes. */
const DRAIN_AFTER_KILL_MS = 1000;

/** Discarded output after which a young-generation GC runs (when the unit passes --expose-gc). */
const COLLECT_EVERY_BYTES = 8 * 1_048_576;
const exposedGc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;

/**
 * Collects one output stream up to a cap, then keeps reading and discarding so the child never blocks.
 * Each discarded chunk is a tiny JS object holding 64 KB outside V8's heap, so hundreds of MB of garbage
 * fit in a 1 MB young generation before V8 collects on its own; a minor GC every few MB keeps it bounded.
 */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private discardedSinceGc = 0;
  bytes = 0;

  constructor(private readonly cap: number, stream: Readable | null) {
    stream?.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (this.kept >= this.cap) return this.discard(chunk.length);
      const part = chunk.length > this.cap - this.kept ? chunk.subarray(0, this.cap - this.kept) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
    });
  }

  private discard(bytes: number): void {
    this.discardedSinceGc += bytes;
    if (this.discardedSinceGc < COLLECT_EVERY_BYTES || !exposedGc) return;
    this.discardedSinceGc = 0;
    exposedGc({ type: 'minor' });
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
  return new Promise((resolve) => {
    let child: ChildProcess;
    const started = now();
    try {
      child = spawn(request.file, request.args, {
        cwd: request.cwd, env: { ...process.env, ...request.env }, detached: true,
        stdio: [request.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve(spawnFailure(error, now() - started));
      return;
    }
    new ProcessRun(child, request, () => now() - started, resolve).watch();
  });
}

/** One running child: output capture, timeout, abort, group kill, and exactly one result. */
class ProcessRun {
  private readonly out: CappedOutput;
  private readonly err: CappedOutput;
  private timedOut = false;
  private aborted: string | undefined;
  private done = false;
  private killed = false;
  private escalation: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly child: ChildProcess, private readonly request: RunRequest,
    private readonly elapsed: () => number, private readonly resolve: (result: RunResult) => void,
  ) {
    this.out = new CappedOutput(request.maxOutputBytes, child.stdout);
    this.err = new CappedOutput(request.maxOutputBytes, child.stderr);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.killGroup();
    }, request.timeoutMs);
  }

  watch(): void {
    const { child, request } = this;
    if (request.signal.aborted) this.onAbort();
    else request.signal.addEventListener('abort', this.onAbort, { once: true });
    child.stdin?.on('error', () => {}).end(request.stdin);
    child.on('error', (error) => this.finish(null, null, describeSpawnError(error, request)));
    child.on('close', (code, signal) => this.finish(code, signal));
    child.on('exit', () => {
      if (this.killed) this.drainAfterKill();
    });
  }

  private readonly onAbort = (): void => {
    this.aborted = String(this.request.signal.reason ?? 'aborted');
    this.killGroup();
  };

  private killGroup(): void {
    if (this.killed) return;
    this.killed = true;
    this.signalGroup('SIGTERM');
    this.escalation = setTimeout(() => this.signalGroup('SIGKILL'), KILL_GRACE_MS);
    this.drainAfterKill();
  }

  /** Normally 'close' follows once the pipes drain; a setsid'd grandchild could hold them forever. */
  private drainAfterKill(): void {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) return;
    setTimeout(() => this.finish(child.exitCode, child.signalCode), DRAIN_AFTER_KILL_MS).unref();
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private finish(exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    // The group may outlive its leader (a background job): finish the kill we started.
    if (this.escalation) {
      clearTimeout(this.escalation);
      this.signalGroup('SIGKILL');
    }
    this.request.signal.removeEventListener('abort', this.onAbort);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    const { out, err } = this;
    this.resolve({
      exitCode, signal, stdout: out.text(), stderr: err.text(), stdoutBytes: out.bytes, stderrBytes: err.bytes,
      stdoutTruncated: out.truncated, stderrTruncated: err.truncated, durationMs: Math.round(this.elapsed()), timedOut: this.timedOut,
      ...(this.aborted !== undefined ? { aborted: this.aborted } : {}), ...(spawnError ? { spawnError } : {}),
    });
  }
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
