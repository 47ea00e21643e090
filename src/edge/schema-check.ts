/**
 * The JSON Schema subset the edge's tool input schemas use, checked by hand so the schemas published
 * in tools/list are also what the edge enforces (no ajv on the device: it would double the bundle).
 */
export interface JsonSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: readonly (string | number)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  default?: unknown;
}

/** Every violation of `schema` by `value`, as `path: problem` lines (empty when valid). */
export function checkSchema(schema: JsonSchema, value: unknown, path = 'arguments'): string[] {
  const typeProblem = checkType(schema, value, path);
  if (typeProblem) return [typeProblem];
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    return [`${path}: must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`];
  }
  if (typeof value === 'string') return checkString(schema, value, path);
  if (typeof value === 'number') return checkNumber(schema, value, path);
  if (Array.isArray(value)) return checkArray(schema, value, path);
  if (typeof value === 'object' && value !== null) return checkObject(schema, value as Record<string, unknown>, path);
  return [];
}

function checkType(schema: JsonSchema, value: unknown, path: string): string | undefined {
  const t = schema.type;
  if (t === undefined) return undefined;
  const ok =
    t === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value)
    : t === 'array' ? Array.isArray(value)
    : t === 'integer' ? Number.isInteger(value)
    : typeof value === t;
  return ok ? undefined : `${path}: must be ${t === 'integer' || t === 'array' || t === 'object' ? 'an' : 'a'} ${t}`;
}

function checkString(schema: JsonSchema, value: string, path: string): string[] {
  const out: string[] = [];
  if (schema.minLength !== undefined && value.length < schema.minLength) out.push(`${path}: must have at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push(`${path}: must have at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: must match ${schema.pattern}`);
  return out;
}

function checkNumber(schema: JsonSchema, value: number, path: string): string[] {
  if (schema.minimum !== undefined && value < schema.minimum) return [`${path}: must be ≥ ${schema.minimum}`];
  if (schema.maximum !== undefined && value > schema.maximum) return [`${path}: must be ≤ ${schema.maximum}`];
  return [];
}

function checkArray(schema: JsonSchema, value: unknown[], path: string): string[] {
  const out: string[] = [];
  if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${path}: must have at least ${schema.minItems} items`);
  if (schema.items) value.forEach((item, i) => out.push(...checkSchema(schema.items!, item, `${path}[${i}]`)));
  return out;
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string): string[] {
  const out: string[] = [];
  for (const key of schema.required ?? []) if (value[key] === undefined) out.push(`${path}.${key}: is required`);
  for (const [key, item] of Object.entries(value)) {
    const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (sub) out.push(...checkSchema(sub, item, `${path}.${key}`));
    else if (schema.additionalProperties === false) out.push(`${path}.${key}: unknown argument`);
  }
  return out;
}
