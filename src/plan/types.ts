/**
 * The plan is plain JSON data: `diff` renders it, `apply` executes it, `--json` prints it as is.
 * Shapes follow Terraform's model — an action per resource with before/after and a reason.
 */

/** A managed file as the planner wants it; content stays out of the plan (it can be large or secret-bearing). */
export interface DesiredFile {
  path: string;
  mode: number;
  sha256: string;
  /** Where the executor gets the bytes: a bundled artifact, or text rendered by the planner. */
  source: { kind: 'artifact'; name: 'edge.mjs' } | { kind: 'text'; text: string };
  /** Whether `diff --diff` may print this file's text (false for anything secret-bearing). */
  showDiff: boolean;
}

export interface DesiredEdge {
  device: string;
  state: 'present' | 'absent';
  address: string;
  port: number;
  version: string;
  files: DesiredFile[];
  /** SHA-256 of the device's token; undefined when no token exists yet (one is generated on apply). */
  tokenSha256: string | undefined;
  /** `new`/`rotated` when this apply issues the token; absent or `stored` when it comes from .lanmcp/. */
  tokenStatus?: 'stored' | 'new' | 'rotated';
}

/** What the read-only facts round trip found on a device. */
export interface DeviceFacts {
  os: { id: string; versionId: string; prettyName: string };
  arch: string;
  /** `node --version` of /usr/bin/node without the `v`, or undefined when missing. */
  nodeVersion: string | undefined;
  /** Where `node` was found on the device's PATH; the unit's ExecStart uses it. */
  nodePath: string | undefined;
  systemd: boolean;
  files: Record<string, { sha256: string; mode: number; text?: string } | undefined>;
  service: { enabled: boolean; active: boolean; activeSince?: string };
  receipt: Receipt | undefined;
  /** Files left by an interrupted apply (rollback copies, temp files) that the next apply cleans up. */
  leftovers: string[];
}

/** Written on the device after a verified apply: what runs there, so restarts are decided from hashes. */
export interface Receipt {
  lanmcp_version: string;
  applied_at: string;
  files: Record<string, string>;
  token_fingerprint: string;
}

export type Resource =
  | { type: 'file'; path: string }
  | { type: 'service'; unit: string }
  | { type: 'token'; device: string }
  | { type: 'receipt'; path: string }
  | { type: 'host'; requirement: 'node' | 'systemd' };

export type Action = 'create' | 'update' | 'delete' | 'restart' | 'enable' | 'start' | 'noop' | 'blocked';

export interface Change {
  resource: Resource;
  action: Action;
  /** Why, in words a user recognizes: "file /etc/lanmcp-edge/config.json is up to date (3f2a1c…)". */
  reason: string;
  before?: { sha256?: string; mode?: number; text?: string };
  after?: { sha256?: string; mode?: number; text?: string };
}

/** `unreachable`: SSH did not answer; `failed`: answered but could not be inspected (auth, host key, sudo). */
export type DeviceOutcome = 'provision' | 'update' | 'remove' | 'unchanged' | 'unreachable' | 'failed' | 'blocked';

export interface DevicePlan {
  device: string;
  address: string;
  outcome: DeviceOutcome;
  changes: Change[];
  /** Set when facts could not be gathered (`unreachable`, `failed`) or the device cannot run the edge (`blocked`). */
  error?: { code: string; message: string; hint?: string };
}

export interface Plan {
  devices: DevicePlan[];
  summary: Record<DeviceOutcome, number>;
}
