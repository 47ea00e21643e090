/**
 * A unified diff of two small texts (units, configs: tens of lines), from a longest-common-subsequence
 * table. Quadratic, which is fine at this size and keeps lanmcp free of a diff dependency.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const hunks = groupHunks(ops, context);
  if (hunks.length === 0) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const hunk of hunks) {
    out.push(`@@ -${rangeStart(hunk.aStart, hunk.aCount)},${hunk.aCount} +${rangeStart(hunk.bStart, hunk.bCount)},${hunk.bCount} @@`);
    out.push(...hunk.lines);
  }
  return `${out.join('\n')}\n`;
}

/** 1-based first line; an empty range names the line before it (0 for the start), as `diff -u` does. */
function rangeStart(start: number, count: number): number {
  return count === 0 ? start : start + 1;
}

type Op = { kind: ' ' | '-' | '+'; line: string; ai: number; bi: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

function diffLines(a: string[], b: string[]): Op[] {
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', line: a[i]!, ai: i++, bi: j++ });
    // Deletions before additions, as GNU diff prints them.
    else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', line: a[i]!, ai: i++, bi: j });
    else ops.push({ kind: '+', line: b[j]!, ai: i, bi: j++ });
  }
  return ops;
}

function groupHunks(ops: Op[], context: number) {
  const hunks: { aStart: number; bStart: number; aCount: number; bCount: number; lines: string[] }[] = [];
  let index = 0;
  while (index < ops.length) {
    const change = ops.findIndex((op, k) => k >= index && op.kind !== ' ');
    if (change === -1) break;
    const start = Math.max(index, change - context);
    let end = change;
    let lastChange = change;
    while (end < ops.length && end - lastChange <= context * 2) {
      if (ops[end]!.kind !== ' ') lastChange = end;
      end++;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const slice = ops.slice(start, end);
    hunks.push({
      aStart: slice[0]!.ai,
      bStart: slice[0]!.bi,
      aCount: slice.filter((op) => op.kind !== '+').length,
      bCount: slice.filter((op) => op.kind !== '-').length,
      lines: slice.map((op) => `${op.kind}${op.line}`),
    });
    index = end;
  }
  return hunks;
}
