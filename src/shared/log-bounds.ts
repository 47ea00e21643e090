const MAX_STRING = 512;
const MAX_ITEMS = 64;
const MAX_DEPTH = 32;

/**
 * A copy of a value small enough for one log line: long strings cut (with their size), long arrays cut
 * (with a count), nesting cut at a fixed depth. A 4 MiB argument must not become a 4 MiB journal line.
 */
export function boundForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${Buffer.byteLength(value)} bytes)` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map((item) => boundForLog(item, depth + 1));
    return value.length > MAX_ITEMS ? [...head, `…(${value.length - MAX_ITEMS} more)`] : head;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const kept = entries.slice(0, MAX_ITEMS).map(([k, v]) => [k, boundForLog(v, depth + 1)] as const);
  return Object.fromEntries(entries.length > MAX_ITEMS ? [...kept, ['…', `${entries.length - MAX_ITEMS} more keys`]] : kept);
}
