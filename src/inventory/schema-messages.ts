// Turns one ajv error into words a newcomer understands: which key, what was wrong, what to write instead.
// The schema's own `description` texts state each rule, so pattern/format errors quote them.
import type { ErrorObject } from 'ajv';
import { formatKeyPath } from './source-map.js';
import type { KeyPath } from './source-map.js';
import { didYouMean } from './suggest.js';

export interface DescribedError {
  code: string;
  path: KeyPath;
  message: string;
  hint?: string;
  atKey: boolean;
}

/** MCP tool names are at most 64 characters; the hub builds `<device>_admin` and `<host>_<upstream tool>`. */
export const MAX_DEVICE_NAME_LENGTH = 31;

const BOOLEAN_WORDS = /^(yes|no|on|off|y|n|true|false)$/i;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

function description(error: ErrorObject): string | undefined {
  return (error.parentSchema as { description?: string } | undefined)?.description;
}

/** `"x" is not valid; expected: <the schema's description of the rule>`. */
function invalidValue(error: ErrorObject, path: KeyPath): DescribedError {
  const expected = description(error);
  const message = `${formatKeyPath(path)}: ${show(error.data)} is not valid${expected ? `; expected: ${expected}` : ''}`;
  return { code: 'schema/format', path, message, atKey: false };
}

function unknownKey(error: ErrorObject, path: KeyPath): DescribedError {
  const key = String((error.params as { additionalProperty: string }).additionalProperty);
  const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
  const where = path.length === 0 ? 'at the top level' : `in ${formatKeyPath(path)}`;
  const near = didYouMean(key, allowed);
  let hint = allowed.length > 0 ? `${near ? `${near} ` : ''}allowed keys here: ${allowed.join(', ')}` : undefined;
  if (key === 'url' && allowed.includes('address')) hint = 'a host with a url already speaks MCP: add `kind: mcp` to proxy it';
  if (key === 'address' && allowed.includes('url')) hint = '`kind: mcp` hosts are reached by `url`, not `address`';
  return { code: 'schema/unknown-key', path: [...path, key], message: `unknown key "${key}" ${where}`, atKey: true, ...(hint ? { hint } : {}) };
}

function badName(error: ErrorObject, path: KeyPath): DescribedError {
  const name = String(error.propertyName);
  const keyPath = [...path, name];
  const isHost = path.length === 1 && path[0] === 'hosts';
  if (isHost && name.length > MAX_DEVICE_NAME_LENGTH && /^[a-z][a-z0-9-]*$/.test(name)) {
    const message =
      `host name "${name}" is ${name.length} characters; at most ${MAX_DEVICE_NAME_LENGTH} so the hub's tool names ` +
      `(${name}_admin, ${name}_<upstream tool>) stay within MCP's 64-character limit`;
    return { code: 'rule/tool-name-too-long', path: keyPath, message, atKey: true, hint: 'choose a shorter name' };
  }
  return { code: 'schema/name', path: keyPath, message: `invalid name "${name}"; expected: ${description(error) ?? error.message}`, atKey: true };
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'a mapping',
  array: 'a list',
};

function typeError(error: ErrorObject, path: KeyPath): DescribedError {
  const type = String((error.params as { type: string }).type);
  const message = `${formatKeyPath(path)} must be ${TYPE_WORDS[type] ?? type}, not ${describeType(error.data)}`;
  const yesNo = type === 'boolean' && typeof error.data === 'string' && BOOLEAN_WORDS.test(error.data);
  return { code: 'schema/type', path, message, atKey: false, ...(yesNo ? { hint: 'write true or false, without quotes' } : {}) };
}

/** The code, location and words for one ajv error at `path`. */
export function describeSchemaError(error: ErrorObject, path: KeyPath): DescribedError {
  const params = error.params as Record<string, unknown>;
  const where = formatKeyPath(path);
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(error, path);
    case 'pattern':
      return error.propertyName !== undefined ? badName(error, path) : invalidValue(error, path);
    case 'format':
    case 'anyOf':
      return invalidValue(error, path);
    case 'required': {
      const missing = String(params.missingProperty);
      const message = path.length === 0 ? `missing required key "${missing}"` : `${where} is missing required key "${missing}"`;
      return { code: 'schema/required', path, message, atKey: path.length > 0 };
    }
    case 'type':
      return typeError(error, path);
    case 'const':
      // An unknown host kind fails the EdgeHost branch's `const: edge`; name both kinds.
      if (path.at(-1) === 'kind' && path[0] === 'hosts') {
        return { code: 'schema/enum', path, message: `${where} must be "edge" (the default) or "mcp", not ${show(error.data)}`, atKey: false };
      }
      return { code: 'schema/enum', path, message: `${where} must be ${show(params.allowedValue)}, not ${show(error.data)}`, atKey: false };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(show).join(', ');
      return { code: 'schema/enum', path, message: `${where} must be one of ${allowed}, not ${show(error.data)}`, atKey: false };
    }
    case 'uniqueItems':
      return { code: 'schema/duplicate-item', path: [...path, Number(params.i)], message: `${where} lists ${show(error.data instanceof Array ? error.data[Number(params.i)] : '')} twice`, atKey: false };
    default: {
      // minimum, maximum, minLength, maxLength, minItems: ajv's words plus the schema's description as the hint.
      const code = `schema/${error.keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      const hint = description(error);
      return { code, path, message: `${where} ${error.message ?? 'is invalid'}`, atKey: false, ...(hint ? { hint } : {}) };
    }
  }
}
