import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
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
 * Appends entries to the audit file (0600, folder 0700) through one open append stream: a file open and
 * close per call cost more than the rest of the hub's own work per call. Lines never interleave.
 */
export function createAuditLog(file: string | undefined, onError: (error: unknown) => void = () => {}) {
  let stream: WriteStream | undefined;
  const open = (path: string): WriteStream => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const created = createWriteStream(path, { flags: 'a', mode: 0o600 });
    created.on('error', onError);
    created.once('open', () => chmod(path, 0o600).catch(onError));
    return created;
  };
  return {
    write(entry: AuditEntry): void {
      if (!file) return;
      try {
        stream ??= open(file);
        stream.write(`${JSON.stringify(entry)}\n`);
      } catch (error) {
        onError(error);
      }
    },
    /** Resolves when every entry written so far is on disk; the stream stays open. */
    flush(): Promise<void> {
      const current = stream;
      if (!current || current.destroyed || current.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => current.write('', () => resolve()));
    },
    /** Flushes and closes the file (the hub's close calls it). */
    close(): Promise<void> {
      const current = stream;
      stream = undefined;
      if (!current || current.destroyed) return Promise.resolve();
      return new Promise((resolve) => current.end(() => resolve()));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
