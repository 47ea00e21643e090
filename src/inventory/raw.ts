// Safe reads of inventory data that may not have passed the schema yet: the semantic rules run on
// every document, valid or not, so that all problems are reported at once.

export type RawMap = Record<string, unknown>;

export function asMap(value: unknown): RawMap | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawMap) : undefined;
}

/** The entries of a mapping in file order; none when `value` is not a mapping. */
export function entriesOf(value: unknown): [string, RawMap][] {
  return Object.entries(asMap(value) ?? {}).map(([key, item]) => [key, asMap(item) ?? {}]);
}

export function stringAt(map: RawMap | undefined, key: string): string | undefined {
  const value = map?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function isMcpHost(host: RawMap): boolean {
  return host.kind === 'mcp';
}
