// Maps a key path in the parsed data back to line:col in the YAML text, so every diagnostic can say
// where the problem is. The yaml package keeps each node's source range; LineCounter turns offsets
// into 1-based line/column.
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';
import type { Diagnostic } from '../shared/diagnostics.js';

export type KeyPath = readonly (string | number)[];

export interface ReportOptions {
  hint?: string;
  severity?: Diagnostic['severity'];
  /** Point at the key itself (e.g. an unknown key) rather than at its value. */
  atKey?: boolean;
}

export interface SourceMap {
  file: string;
  /** Position of the value at `path` (or of its key with `atKey`); the nearest existing ancestor if it is missing. */
  locate(path: KeyPath, atKey?: boolean): { line: number; column: number };
  report(code: string, path: KeyPath, message: string, options?: ReportOptions): Diagnostic;
}

/** `hosts.kitchen-pi.ssh.port`, `groups.pis.hosts[1]`; the whole document is `(root)`. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(root)' : text;
}

function findPair(node: unknown, key: string | number): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key));
}

function child(node: unknown, key: string | number): unknown {
  if (isSeq(node)) return typeof key === 'number' ? node.items[key] : undefined;
  return findPair(node, key)?.value ?? undefined;
}

/** The node (value, or key with `atKey`) at `path`, or the deepest ancestor that exists. */
function nodeAt(doc: Document, path: KeyPath, atKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (last && atKey) {
      const pair = findPair(node, segment);
      return (pair?.key as Node | undefined) ?? found;
    }
    node = child(node, segment);
    if (node === undefined || node === null) return found;
    found = node as Node;
  }
  return found;
}

export function createSourceMap(doc: Document, lineCounter: LineCounter, file: string): SourceMap {
  const locate = (path: KeyPath, atKey = false) => {
    const node = nodeAt(doc, path, atKey);
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    locate,
    report(code, path, message, options = {}) {
      const { line, column } = locate(path, options.atKey);
      const diagnostic: Diagnostic = {
        code,
        severity: options.severity ?? 'error',
        message,
        file,
        line,
        column,
        path: formatKeyPath(path),
      };
      if (options.hint) diagnostic.hint = options.hint;
      return diagnostic;
    },
  };
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null)?.range;
  return range !== undefined && range !== null && offset >= range[0] && offset <= range[2];
}

/** Whether `offset` lies in a pair: from its key to the end of its value (a tag or anchor sits in between). */
function pairContains(pair: Pair<unknown, unknown>, offset: number): boolean {
  const start = (pair.key as Node | null)?.range?.[0];
  const end = ((pair.value as Node | null)?.range ?? (pair.key as Node | null)?.range)?.[2];
  return start !== undefined && end !== undefined && offset >= start && offset <= end;
}

/** The key path of the deepest node at `offset`: names the key a YAML-level error (duplicate key, alias) sits in. */
export function pathAtOffset(doc: Document, offset: number): KeyPath {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && pairContains(p, offset));
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (contains(pair.key, offset) || !contains(pair.value, offset)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}
