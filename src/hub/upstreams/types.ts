/** How the hub reaches one upstream; built from the inventory by `planUpstreamSpecs`. */
export interface UpstreamSpec {
  name: string;
  kind: 'edge' | 'mcp';
  /** The MCP endpoint. */
  url: string;
  /** Edges: `GET /healthz` (no auth, cheap). Absent: an MCP ping on a pooled session. */
  healthUrl?: string;
  /** Hex SHA-256 of the edge's TLS public key (SPKI): connections succeed only to the holder of that key. */
  pin?: string;
  /** Authorization and extra headers; never shown, never logged. */
  headers: Record<string, string>;
  /** Calls running at once on this upstream; the rest queue. */
  maxConcurrent: number;
  /** Per-call timeout, reset whenever the upstream reports progress. */
  callTimeoutMs: number;
  /** Why the hub has no credential for it (no token in the store, env var unset): it stays down with this reason. */
  missingCredential?: string;
  /** For network_resources. */
  address?: string;
  description?: string;
  tags: string[];
  groups: string[];
  /** Edge tools the device's policy enables. */
  enabledTools: string[];
}

export interface UpstreamTiming {
  healthIntervalMs: number;
  connectTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How long a call waits for an immediate reconnect to a down upstream before it is refused. */
  downWaitMs: number;
  /** `kind: mcp` tool lists are re-read this often (some upstreams never send list_changed). */
  toolsRefreshMs: number;
}

export const DEFAULT_TIMING: UpstreamTiming = {
  healthIntervalMs: 15_000,
  connectTimeoutMs: 3_000,
  backoffInitialMs: 250,
  backoffMaxMs: 10_000,
  downWaitMs: 1_500,
  toolsRefreshMs: 60_000,
};

export interface UpstreamStatus {
  name: string;
  kind: 'edge' | 'mcp';
  status: 'up' | 'down' | 'unknown';
  /** When the status last changed (ISO). */
  since?: string;
  last_seen?: string;
  latency_ms?: number;
  version?: string;
  error?: string;
  in_flight: number;
  queued: number;
}
