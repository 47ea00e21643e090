// How `lanmcp validate` shows an inventory: diagnostics and a one-line summary for humans (stderr),
// or one JSON document for machines (stdout).
import { formatDiagnostic, hasErrors } from '../../shared/diagnostics.js';
import type { Diagnostic } from '../../shared/diagnostics.js';
import type { Device, InventoryResult } from '../../inventory/index.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One `file:line:col: severity CODE: message` block per diagnostic, in file order. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
}

/** `inventory.yaml: 2 errors` or `inventory.yaml is valid: 5 devices (4 edge, 1 mcp), 2 groups`. */
export function renderValidateSummary(file: string, result: InventoryResult): string {
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const warningText = warnings > 0 ? `, ${plural(warnings, 'warning')}` : '';
  if (errors > 0 || !result.devices) return `${file}: ${plural(errors, 'error')}${warningText}\n`;
  const edges = result.devices.filter((d) => d.kind === 'edge').length;
  const groups = Object.keys(result.groups ?? {}).length;
  const devices = `${plural(result.devices.length, 'device')} (${edges} edge, ${result.devices.length - edges} mcp)`;
  return `${file} is valid: ${devices}, ${plural(groups, 'group')}${warningText}\n`;
}

export interface ValidateReport {
  valid: boolean;
  file: string;
  devices: Device[];
  diagnostics: Diagnostic[];
}

/** The `--json` document: the resolved devices when valid, every diagnostic either way. */
export function validateReport(file: string, result: InventoryResult): ValidateReport {
  const valid = !hasErrors(result.diagnostics) && result.devices !== undefined;
  return { valid, file, devices: valid ? (result.devices ?? []) : [], diagnostics: result.diagnostics };
}

export function renderValidateJson(file: string, result: InventoryResult): string {
  return `${JSON.stringify(validateReport(file, result), null, 2)}\n`;
}
