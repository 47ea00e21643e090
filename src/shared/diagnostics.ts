/**
 * A diagnostic is a problem found in a user's file, as data: collected (never thrown) so every problem
 * is reported at once, each naming the file, line and column and the offending key.
 */
export interface Diagnostic {
  /** Stable code, e.g. `schema/required` or `rule/duplicate-address`. */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The key path in the document, e.g. `hosts.kitchen-pi.address`. */
  path: string;
  hint?: string;
}

/** `file:line:col: error CODE: message` — the format editors and CI annotations understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
