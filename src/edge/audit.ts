import { createHash } from 'node:crypto';
import type { AuditFacts } from './tools/tool.js';

/** `{bytes, sha256}`: how secrets and file contents appear in the audit log. */
export function fingerprint(data: string | Buffer): { bytes: number; sha256: string } {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  return { bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
}

export interface AuditEntry extends AuditFacts {
  time: string;
  tool: string;
  arguments: Record<string, unknown>;
  duration_ms: number;
  /** Error text for refusals and failures, so journalctl shows why without the client. */
  message?: string;
}

/** One JSON line per tool call, for journald. */
export function renderAuditLine(entry: AuditEntry): string {
  return JSON.stringify({ edge: 'call', ...entry });
}
