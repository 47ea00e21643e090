// The last lines of the hub's audit log (JSON Lines), read from the end of the file so a large log costs
// no more than a small one. Lines are the hub's own, but a hand-edited or truncated file must not break the page.
import { open } from 'node:fs/promises';

/** The fields of an audit entry the status page shows (never args or the command). */
export interface RecentCall {
  time: string;
  token: string;
  tool: string;
  devices: string[];
  outcome: 'ok' | 'error';
  error?: string;
  duration_ms?: number;
}

const FIRST_CHUNK = 64 * 1024;
const MAX_TAIL = 4 * 1024 * 1024;
const MAX_ERROR_CHARS = 300;

function callOf(value: unknown): RecentCall | undefined {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || typeof v.time !== 'string' || typeof v.tool !== 'string') return undefined;
  const devices = Array.isArray(v.devices) ? v.devices.filter((d): d is string => typeof d === 'string') : [];
  return {
    time: v.time, token: typeof v.token === 'string' ? v.token : '?', tool: v.tool, devices,
    outcome: v.outcome === 'ok' ? 'ok' : 'error',
    ...(typeof v.error === 'string' ? { error: v.error.slice(0, MAX_ERROR_CHARS) } : {}),
    ...(typeof v.duration_ms === 'number' && Number.isFinite(v.duration_ms) ? { duration_ms: v.duration_ms } : {}),
  };
}

/** The last `limit` readable entries of JSON Lines text, oldest first, and how many lines were unreadable. Pure. */
export function parseAuditLines(text: string, limit: number): { calls: RecentCall[]; unreadable: number } {
  const calls: RecentCall[] = [];
  let unreadable = 0;
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  for (let i = lines.length - 1; i >= 0 && calls.length < limit; i -= 1) {
    let call: RecentCall | undefined;
    try {
      call = callOf(JSON.parse(lines[i]!));
    } catch {
      call = undefined;
    }
    if (call) calls.push(call);
    else unreadable += 1;
  }
  return { calls: calls.reverse(), unreadable };
}

/** Bytes from the end of the file, widened until they hold `limit` complete lines (or the whole file, or 4 MiB). */
async function readTail(file: string, limit: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    for (let want = FIRST_CHUNK; ; want *= 4) {
      const length = Math.min(size, want, MAX_TAIL);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString('utf8');
      // A tail that starts mid-file starts mid-line: drop that partial first line.
      if (length < size) text = text.slice(text.indexOf('\n') + 1);
      if (length === size || length === MAX_TAIL || text.split('\n').length > limit + 1) return text;
    }
  } finally {
    await handle.close();
  }
}

/** The last `limit` calls, or a note saying why there are none (no log configured, none yet, unreadable). */
export async function readRecentCalls(file: string | undefined, limit: number): Promise<{ calls: RecentCall[]; note?: string }> {
  if (!file) return { calls: [], note: 'This hub was started without an audit log.' };
  let text: string;
  try {
    text = await readTail(file, limit);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { calls: [], note: 'No calls yet.' };
    return { calls: [], note: `The audit log cannot be read: ${(error as Error).message}` };
  }
  const { calls, unreadable } = parseAuditLines(text, limit);
  if (unreadable > 0) return { calls, note: `${unreadable} unreadable line(s) of the audit log skipped.` };
  return calls.length === 0 ? { calls, note: 'No calls yet.' } : { calls };
}
