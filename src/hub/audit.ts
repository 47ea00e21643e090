import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConfirmationRecord } from './tools/confirm-gate.js';

/** One line of the hub's audit log (JSON Lines). */
export interface AuditEntry {
  time: string;
  /** The client token's name (never the token). */
  token: string;
  client?: { name: string; version: string };
  tool: string;
  devices: string[];
  /** run_command / run_on_many: the command line or argv as the agent sent it (secrets redacted). */
  command?: string;
  args: Record<string, unknown>;
  outcome: 'ok' | 'error';
  /** Short reason for an error outcome (first line of the result text). */
  error?: string;
  /** For calls a human had to confirm: approved, declined or refused, and by whom. */
  confirmation?: ConfirmationRecord;
  duration_ms: number;
}

const TOKEN_RE = /\b(lm[ce]_[A-Za-z0-9_-]{20,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;
const SECRET_KEY_RE = /(token|secret|password|passwd|api[_-]?key|authorization)/i;

/** `{bytes, sha256}` in place of a payload: enough to match it to a file, nothing of its content. */
export function fingerprintText(text: string): { bytes: number; sha256: string } {
  return { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}

/** Tokens anywhere in a string become `[redacted]`. */
export function redactText(text: string): string {
  return text.replace(TOKEN_RE, '[redacted]');
}

/** Deeper than this, arguments are cut: a hostile nesting must neither overflow the stack nor skip the line. */
const MAX_DEPTH = 32;

/**
 * The arguments as the audit log may show them: env values, stdin and write_file content replaced by
 * their size and hash, token-looking strings and secret-named keys redacted, nesting cut at MAX_DEPTH. Pure.
 */
export function redactArgs(tool: string, args: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === 'env' && value && typeof value === 'object') out.env = Object.fromEntries(Object.keys(value).map((k) => [k, '[redacted]']));
    else if ((key === 'stdin' || (key === 'content' && /write_file$/.test(tool))) && typeof value === 'string') out[key] = fingerprintText(value);
    else if (SECRET_KEY_RE.test(key)) out[key] = '[redacted]';
    else out[key] = redactValue(value, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redactArgs('', value as Record<string, unknown>, depth);
}

/** The command a call runs, for the `command` field (argv joined with spaces). */
export function commandOf(args: Record<string, unknown>): string | undefined {
  if (typeof args.command === 'string') return redactText(args.command);
  if (Array.isArray(args.argv)) return redactText(args.argv.map(String).join(' '));
  return undefined;
}

/**
 * Appends entries to the audit file (0600, folder 0700), opened once. `record` takes the entry as a
 * function and builds and writes it at the end of the current turn of the event loop (setImmediate), once
 * the caller's answer is on its way: redaction, serialization and the write are then no part of the call's
 * latency. The entries of one turn go out as one append from the event loop itself: a small write to a
 * local file costs less than handing it to the thread pool (a wake-up of a worker, then of the event loop
 * for its completion), and nothing waits in memory longer than that turn. `flush` and `close` write what is
 * still pending first, so nothing is lost or reordered. An entry recorded after `close` (a call cancelled
 * by the hub's close that ends later) opens the file again: losing it would be worse.
 */
export function createAuditLog(file: string | undefined, onError: (error: unknown) => void = () => {}) {
  let fd: number | undefined;
  let pending: Array<() => AuditEntry> = [];
  let scheduled: NodeJS.Immediate | undefined;
  const openFile = (path: string): number => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const opened = openSync(path, 'a', 0o600);
    // An existing file keeps its mode on open: make it private whatever it was.
    fchmodSync(opened, 0o600);
    return opened;
  };
  const writeLines = (entries: readonly AuditEntry[]): void => {
    if (!file || entries.length === 0) return;
    try {
      fd ??= openFile(file);
      const bytes = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    } catch (error) {
      onError(error);
    }
  };
  const drain = (): void => {
    clearImmediate(scheduled);
    scheduled = undefined;
    const builders = pending;
    pending = [];
    const entries: AuditEntry[] = [];
    for (const build of builders) {
      try {
        entries.push(build());
      } catch (error) {
        onError(error);
      }
    }
    writeLines(entries);
  };
  return {
    /** Writes one entry now (after any still pending). */
    write(entry: AuditEntry): void {
      drain();
      writeLines([entry]);
    },
    /** Builds and writes the entry after this turn of the event loop (see above); nothing at all without a file. */
    record(build: () => AuditEntry): void {
      if (!file) return;
      pending.push(build);
      scheduled ??= setImmediate(drain);
    },
    /** Resolves once every entry recorded so far is in the file; it stays open. */
    async flush(): Promise<void> {
      drain();
    },
    /** Writes what is pending and closes the file (the hub's close calls it); a later entry opens it again. */
    async close(): Promise<void> {
      drain();
      if (fd === undefined) return;
      const open = fd;
      fd = undefined;
      try {
        closeSync(open);
      } catch (error) {
        onError(error);
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
