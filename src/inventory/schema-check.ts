// Validates plain inventory data against schemas/inventory.schema.json with ajv (JSON Schema 2020-12,
// allErrors) and turns every ajv error into a Diagnostic that points at the offending YAML node.
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Diagnostic } from '../shared/diagnostics.js';
import schema from '../../schemas/inventory.schema.json' with { type: 'json' };
import type { KeyPath, SourceMap } from './source-map.js';
import { describeSchemaError } from './schema-messages.js';

let compiled: ValidateFunction | undefined;

/** The compiled validator, built on first use (compiling at import time would slow every CLI start). */
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020.default({ allErrors: true, verbose: true, strict: true });
    addFormats.default(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** `/hosts/kitchen-pi/tags/0` → ['hosts', 'kitchen-pi', 'tags', 0], numbers only where the data is an array. */
export function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(segment) : segment;
    path.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return path;
}

/**
 * ajv reports a failed `anyOf` once plus once per branch, a failed `if/then/else` both as its branch's
 * errors and as an `if` summary, and a bad property name both inside and as a `propertyNames` summary.
 * Keep one error per problem: the anyOf summary, the branch errors, the inner name error.
 */
function keepUseful(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  return errors.filter((e) => {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') return false;
    return !anyOfs.some((a) => a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`));
  });
}

/** Every schema problem in `data`, each located in the YAML text. */
export function checkSchema(data: unknown, sourceMap: SourceMap): Diagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of keepUseful(validate.errors ?? [])) {
    const path: KeyPath = pointerToPath(error.instancePath, data);
    const described = describeSchemaError(error, path);
    const diagnostic = sourceMap.report(described.code, described.path, described.message, {
      atKey: described.atKey,
      ...(described.hint ? { hint: described.hint } : {}),
    });
    const key = `${diagnostic.path}\u0000${diagnostic.code}\u0000${diagnostic.message}`;
    if (!seen.has(key)) diagnostics.push(diagnostic);
    seen.add(key);
  }
  return diagnostics;
}
