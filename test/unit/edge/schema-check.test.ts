import { describe, expect, it } from 'vitest';
import { checkSchema, type JsonSchema } from '../../../src/edge/schema-check.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, pattern: '^/' },
    lines: { type: 'integer', minimum: 1, maximum: 10 },
    mode: { type: 'string', enum: ['a', 'b'] },
    argv: { type: 'array', items: { type: 'string' }, minItems: 1 },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['path'],
  additionalProperties: false,
};

describe('checkSchema', () => {
  it('accepts valid arguments', () => {
    expect(checkSchema(schema, { path: '/x', lines: 3, mode: 'a', argv: ['ls'], env: { A: 'b' } })).toEqual([]);
  });

  it('names every violation with its path', () => {
    expect(checkSchema(schema, { path: 'x', lines: 2.5, mode: 'c', argv: [1], env: { A: 2 }, other: true })).toEqual([
      'arguments.path: must match ^/',
      'arguments.lines: must be an integer',
      'arguments.mode: must be one of "a", "b"',
      'arguments.argv[0]: must be a string',
      'arguments.env.A: must be a string',
      'arguments.other: unknown argument',
    ]);
    expect(checkSchema(schema, { lines: 11, argv: [] })).toEqual([
      'arguments.path: is required', 'arguments.lines: must be ≤ 10', 'arguments.argv: must have at least 1 items',
    ]);
    expect(checkSchema(schema, [])).toEqual(['arguments: must be an object']);
  });
});
