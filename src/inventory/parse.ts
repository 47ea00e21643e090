// The pure pipeline: bytes → UTF-8 text → YAML → schema (ajv) → semantic rules → resolved devices.
// Every stage adds diagnostics instead of throwing, so a user sees every problem at once.
import { dirname } from 'node:path';
import { hasErrors } from '../shared/diagnostics.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { Inventory } from './generated-types.js';
import { resolveHub } from './hub.js';
import { resolveDevices } from './resolve.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema-check.js';
import type { SourceMap } from './source-map.js';
import type { InventoryResult, ParseOptions, PathContext } from './types.js';
import { decodeInventoryText, parseYamlSource } from './yaml-source.js';

/** A rule's finding is more precise than the schema's complaint about the same key (and never echoes a secret). */
function combine(schema: Diagnostic[], rules: Diagnostic[]): Diagnostic[] {
  const rulePaths = new Set(rules.filter((d) => d.severity === 'error').map((d) => d.path));
  const all = [...schema.filter((d) => !rulePaths.has(d.path)), ...rules];
  return all.sort((a, b) => a.line - b.line || a.column - b.column);
}

function groupMembers(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries(Object.entries(inventory.groups ?? {}).map(([name, group]) => [name, [...group.hosts]]));
}

function resolveAll(inventory: Inventory, sourceMap: SourceMap, paths: PathContext) {
  const locate = (name: string) => ({ file: sourceMap.file, ...sourceMap.locate(['hosts', name], true) });
  return {
    devices: resolveDevices(inventory, paths, locate),
    hub: resolveHub(inventory.hub, paths),
    groups: groupMembers(inventory),
  };
}

/**
 * Parses and checks an inventory without touching the disk. `file` names it in diagnostics; relative
 * paths inside resolve against `options.baseDir` (default: the file's folder) and `~` against
 * `options.homeDir` (left as written when not given).
 */
export function parseInventory(bytes: Uint8Array | string, file: string, options: ParseOptions = {}): InventoryResult {
  const decoded = decodeInventoryText(bytes, file);
  if (decoded.text === undefined) return { diagnostics: decoded.diagnostic ? [decoded.diagnostic] : [] };
  const source = parseYamlSource(decoded.text, file);
  if (!source.data || !source.sourceMap) return { diagnostics: source.diagnostics };
  const schemaDiagnostics = checkSchema(source.data, source.sourceMap);
  const diagnostics = combine(schemaDiagnostics, checkRules(source.data, source.sourceMap));
  if (schemaDiagnostics.length > 0) return { diagnostics };
  const inventory = source.data as unknown as Inventory;
  if (hasErrors(diagnostics)) return { inventory, diagnostics };
  const paths: PathContext = { baseDir: options.baseDir ?? dirname(file), ...(options.homeDir !== undefined ? { homeDir: options.homeDir } : {}) };
  return { inventory, ...resolveAll(inventory, source.sourceMap, paths), diagnostics };
}
