import type { EdgeConfig, ToolName } from '../config.js';
import type { Decision } from '../policy.js';
import type { JsonSchema } from '../schema-check.js';
import type { System } from '../system.js';

export interface ToolContext {
  config: EdgeConfig;
  system: System;
  /** Aborted on MCP cancellation, when the client goes away, and on edge shutdown. */
  signal: AbortSignal;
}

/** An MCP CallToolResult as plain data. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** What the audit line records about a call besides its arguments. */
export interface AuditFacts {
  decision: 'allowed' | 'refused';
  rule?: string;
  exit_code?: number | null;
  bytes?: number;
}

export interface ToolOutcome {
  result: ToolResult;
  audit: AuditFacts;
}

export interface EdgeTool {
  name: ToolName;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  /** Published as is (the SDK client validates structuredContent against it); full JSON Schema. */
  outputSchema?: Record<string, unknown>;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  /** Arguments are already checked against inputSchema. */
  call(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome>;
  /** The arguments as the audit log may show them (secrets replaced). */
  redact?(args: Record<string, unknown>): Record<string, unknown>;
}

/** A policy refusal as the isError result the agent sees: it names the rule that refused. */
export function refusal(decision: Extract<Decision, { allowed: false }>): ToolOutcome {
  return {
    result: { content: [{ type: 'text', text: `refused by ${decision.rule}: ${decision.reason}` }], isError: true },
    audit: { decision: 'refused', rule: decision.rule },
  };
}

/** A failure while doing an allowed call (file missing, unit unknown, …). */
export function failure(message: string, audit: Partial<AuditFacts> = {}): ToolOutcome {
  return { result: { content: [{ type: 'text', text: message }], isError: true }, audit: { decision: 'allowed', ...audit } };
}

/** A successful call: readable text plus the same facts as structuredContent. */
export function success(text: string, structured: Record<string, unknown>, audit: Partial<AuditFacts> = {}): ToolOutcome {
  return { result: { content: [{ type: 'text', text }], structuredContent: structured }, audit: { decision: 'allowed', ...audit } };
}

/** `ENOENT: no such file or directory` style text for an fs error. */
export function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory',
    ENOTDIR: 'not a directory', EEXIST: 'already exists', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  };
  return e?.code ? `${known[e.code] ?? e.message} (${e.code})` : String(error);
}
