// `lanmcp status`: the rows (plain JSON, what --json prints) and the table humans read. Pure.

/**
 * up: answers (and, checked directly, accepted its token); down: no answer or an error; auth-failed: answered
 * but refused the credential; no-token: lanmcp holds no credential for it yet (not applied, env var unset).
 */
export type DeviceHealth = 'up' | 'down' | 'auth-failed' | 'no-token';

export interface StatusRow {
  name: string;
  kind: 'edge' | 'mcp';
  /** Edges: the address; `kind: mcp`: the URL. */
  where: string;
  status: DeviceHealth;
  version?: string;
  latency_ms?: number;
  /** Why it is not up, as the probe or the hub saw it. */
  error?: string;
  /** Who checked: the running hub, or lanmcp itself over HTTP. */
  via: 'hub' | 'direct';
}

export interface StatusReport {
  rows: StatusRow[];
  /** The running hub that answered, when it did. */
  hub?: { url: string; version?: string };
  /** Why the hub was not asked (not running, no LANMCP_TOKEN, refused the token). */
  hubNote?: string;
}

const HEADERS = ['DEVICE', 'KIND', 'STATUS', 'VERSION', 'LATENCY', 'WHERE / DETAIL'] as const;

function cellsOf(row: StatusRow): string[] {
  const mark = row.status === 'up' ? '✓' : '✗';
  const detail = row.error ? `${row.where} · ${row.error}` : row.where;
  return [row.name, row.kind, `${mark} ${row.status}`, row.version ?? '-', row.latency_ms !== undefined ? `${row.latency_ms} ms` : '-', detail];
}

/** The table for stderr, then `2/3 up · via the hub at URL` (or `checked directly`) and the hub note. */
export function renderStatusTable(report: StatusReport): string {
  const table = [[...HEADERS], ...report.rows.map(cellsOf)];
  const widths = HEADERS.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const lines = table.map((cells) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  return `${lines.join('\n')}\n\n${renderStatusFooter(report)}`;
}

/** `2/3 up · via the hub at URL` (or `checked directly over HTTP`), then why the hub was not asked; also printed with --json. */
export function renderStatusFooter(report: StatusReport): string {
  const up = report.rows.filter((r) => r.status === 'up').length;
  const source = report.hub ? `via the hub at ${report.hub.url}${report.hub.version ? ` (v${report.hub.version})` : ''}` : 'checked directly over HTTP';
  return `${up}/${report.rows.length} up · ${source}\n${report.hubNote ? `${report.hubNote}\n` : ''}`;
}

/** `--json`: one object per line, one line per device. */
export function renderStatusJson(report: StatusReport): string {
  return report.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

export function allUp(rows: readonly StatusRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.status === 'up');
}

/**
 * A row of the hub's `network_resources` (GET / on the hub) as a status row. The hub says up or down
 * with a reason; the reasons it gives for a missing or refused credential are mapped to their own status.
 */
export function statusFromHubDevice(device: Record<string, unknown>): StatusRow {
  const error = typeof device.error === 'string' ? device.error : undefined;
  const up = device.status === 'up';
  const status: DeviceHealth = up ? 'up'
    : error && /^no edge token|environment variable .* is not set/.test(error) ? 'no-token'
    : error && /refused the hub's credentials/.test(error) ? 'auth-failed'
    : 'down';
  return {
    name: String(device.name), kind: device.kind === 'mcp' ? 'mcp' : 'edge',
    where: String(device.address ?? device.url ?? ''), status,
    ...(typeof device.version === 'string' ? { version: device.version } : {}),
    ...(typeof device.latency_ms === 'number' ? { latency_ms: device.latency_ms } : {}),
    ...(!up ? { error: error ?? `status ${String(device.status)}` } : {}),
    via: 'hub',
  };
}
