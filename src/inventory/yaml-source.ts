// Bytes → text → YAML document → plain data, with a diagnostic for every way that can fail: bytes that
// are not UTF-8, YAML syntax errors, duplicate keys, alias bombs, an empty file, a top-level non-mapping.
import { LineCounter, isAlias, isMap, parseDocument, visit } from 'yaml';
import type { Document } from 'yaml';
import type { Diagnostic } from '../shared/diagnostics.js';
import { createSourceMap, formatKeyPath, pathAtOffset } from './source-map.js';
import type { KeyPath, SourceMap } from './source-map.js';

/** Aliases may expand to at most this many nodes each: a few kB of "billion laughs" must not eat the heap. */
export const MAX_ALIAS_COUNT = 100;

export interface YamlSource {
  data?: Record<string, unknown>;
  sourceMap?: SourceMap;
  diagnostics: Diagnostic[];
}

function at(file: string, code: string, line: number, column: number, message: string, hint?: string, path: KeyPath = []): Diagnostic {
  return { code, severity: 'error', message, file, line, column, path: formatKeyPath(path), ...(hint ? { hint } : {}) };
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0 || i + extra >= bytes.length) return i;
    for (let k = 1; k <= extra; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    // TextDecoder below still rejects overlongs and surrogates; this scan only finds the position.
    i += extra + 1;
  }
  return -1;
}

/** UTF-8 bytes (or a string) → text, or a diagnostic naming the first bad byte. */
export function decodeInventoryText(input: Uint8Array | string, file: string): { text?: string; diagnostic?: Diagnostic } {
  if (typeof input === 'string') return { text: input.replace(/^\uFEFF/, '') };
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    return { diagnostic: at(file, 'yaml/encoding', 1, 1, 'the file is UTF-16; lanmcp reads UTF-8 only', 'save the file as UTF-8') };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input) };
  } catch {
    const bad = Math.max(firstInvalidUtf8(input), 0);
    const before = input.subarray(0, bad);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = bad - (before.lastIndexOf(0x0a) + 1) + 1;
    const hex = input[bad]?.toString(16).padStart(2, '0') ?? '??';
    return { diagnostic: at(file, 'yaml/encoding', line, column, `byte 0x${hex} is not valid UTF-8`, 'save the file as UTF-8') };
  }
}

/** The yaml package's error code and message → ours; its message ends with a position and a snippet we already show. */
function describeYamlError(code: string, raw: string): [string, string, string?] {
  const message = raw.split(/ at line \d+, column \d+/)[0]!.split('\n')[0]!;
  if (code === 'DUPLICATE_KEY') return ['yaml/duplicate-key', 'duplicate key: a key may appear once per mapping'];
  if (code === 'MULTIPLE_DOCS') return ['yaml/syntax', 'the file holds several YAML documents (---); an inventory is one document'];
  if (code === 'TAG_RESOLVE_FAILED') {
    return ['yaml/unknown-tag', message, 'lanmcp understands no custom YAML tags (e.g. !vault); secrets belong in environment variables'];
  }
  return ['yaml/syntax', message];
}

/** The offset of the first alias (or the first alias to `anchor`). */
function firstAliasOffset(doc: Document, anchor?: string): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      if (!isAlias(node) || (anchor !== undefined && node.source !== anchor)) return undefined;
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** Errors and warnings of the yaml parser, at most one per position: the first says what to fix. */
function syntaxDiagnostics(doc: Document, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    // e.g. an unclosed quote also leaves a flow map open, reported at the same spot.
    if (diagnostics.some((d) => d.line === pos.line && d.column === pos.col)) continue;
    const [code, message, hint] = describeYamlError(error.code, error.message);
    // Several documents: the position is past the first one, inside no key.
    const path = error.code === 'MULTIPLE_DOCS' ? [] : pathAtOffset(doc, error.pos[0]);
    diagnostics.push(at(file, code, pos.line, pos.col, message, hint, path));
  }
  return diagnostics;
}

/** An empty document or a top-level scalar/list is not an inventory. */
function shapeDiagnostic(doc: Document, text: string, lineCounter: LineCounter, file: string): Diagnostic | undefined {
  if (doc.contents === null || text.trim() === '') {
    return at(file, 'yaml/empty', 1, 1, 'the inventory is empty', 'start from `lanmcp init` or inventory.example.yaml');
  }
  if (isMap(doc.contents)) return undefined;
  const pos = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
  return at(file, 'yaml/not-mapping', pos.line, pos.col, 'the inventory must be a mapping (version:, hosts:, …) at the top level');
}

/** Plain data, with aliases expanded under a limit ("billion laughs"), or a diagnostic at the offending alias. */
function toData(doc: Document, lineCounter: LineCounter, file: string): { data?: unknown; diagnostic?: Diagnostic } {
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const unresolved = /^Unresolved alias.*: (.*)$/.exec(error.message)?.[1];
    const offset = firstAliasOffset(doc, unresolved);
    const { line, col } = lineCounter.linePos(offset);
    const path = pathAtOffset(doc, offset);
    if (unresolved !== undefined) {
      return { diagnostic: at(file, 'yaml/unresolved-alias', line, col, error.message, 'define the anchor (&name) before using the alias (*name)', path) };
    }
    const message = `${error.message} (aliases may expand to at most ${MAX_ALIAS_COUNT} nodes)`;
    return { diagnostic: at(file, 'yaml/alias-limit', line, col, message, 'write the repeated settings out, or move them to defaults or a group', path) };
  }
}

/** YAML text → plain data and a source map; diagnostics instead of exceptions. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter, strict: true });
  const syntax = syntaxDiagnostics(doc, file);
  if (syntax.length > 0) return { diagnostics: syntax };
  const shape = shapeDiagnostic(doc, text, lineCounter, file);
  if (shape) return { diagnostics: [shape] };
  const { data, diagnostic } = toData(doc, lineCounter, file);
  if (diagnostic) return { diagnostics: [diagnostic] };
  return { data: data as Record<string, unknown>, sourceMap: createSourceMap(doc, lineCounter, file), diagnostics: [] };
}
