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
  /**
   * A non-root user that must read this file (the edge's run_as user): the file then belongs to root and
   * that user's primary group. Absent: root:root. The owner is always root, so the edge never owns its policy.
   */
  readableBy?: string;
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
  /** The user the edge runs as (`edge.run_as`): `root`, or an unprivileged user lanmcp creates when missing. */
  runAs: string;
  /** The polkit rule granting run_as its `policy.services`; absent when none is wanted (root, or no services). */
  polkitRule?: DesiredFile;
  /**
   * `edge.tls` (absent: `tls: false`, plain HTTP): the pin .lanmcp/ holds (hex SHA-256 of the key's SPKI),
   * and whether this run renews the key (with the token, `--rotate-tokens`).
   */
  tls?: { pinned?: string; rotate: boolean };
}

/** Owner, group and mode as `stat` reports them (names; a number when the id has no name). */
export interface Ownership {
  owner: string;
  group: string;
  mode: number;
}

/** A device account as the facts saw it: primary group name and every group the user is in (primary included). */
export interface UserFacts {
  uid: number;
  group: string;
  groups: string[];
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
  /** Managed files (and the polkit rule); `owner`/`group` are absent in facts from older lanmcp versions. */
  files: Record<string, { sha256: string; mode: number; owner?: string; group?: string; text?: string } | undefined>;
  /** /etc/lanmcp-edge itself: a run_as user must be able to enter it to read config.json. */
  configDir?: Ownership;
  /** Local accounts (getent): users by name, and the names of every group that exists. */
  accounts: { users: Record<string, UserFacts>; groups: string[] };
  /** polkitd is installed (/usr/lib/polkit-1/polkitd or pkaction): needed to grant `policy.services`. */
  polkit: boolean;
  service: { enabled: boolean; active: boolean; activeSince?: string };
  receipt: Receipt | undefined;
  /** Files left by an interrupted apply (rollback copies, temp files) that the next apply cleans up. */
  leftovers: string[];
  /**
   * /etc/lanmcp-edge/tls: whether cert.pem exists and the pin of the key it carries (the certificate is
   * public; the key itself is only stat'ed, never read). Absent in facts from older lanmcp versions.
   */
  tls?: { cert: boolean; certPin?: string; key?: Ownership; dir?: Ownership };
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
  | { type: 'user'; name: string }
  | { type: 'tls-key'; device: string }
  | { type: 'host'; requirement: 'node' | 'systemd' | 'polkit' };

export type Action = 'create' | 'update' | 'delete' | 'restart' | 'enable' | 'start' | 'noop' | 'blocked';

/** One side of a change: a file's hash, mode, owner and text; a user's groups. */
export interface ChangeState {
  sha256?: string;
  mode?: number;
  owner?: string;
  group?: string;
  groups?: string[];
  text?: string;
  /** A TLS key as `SHA256:<base64>` of its public key (never key bytes). */
  fingerprint?: string;
}

export interface Change {
  resource: Resource;
  action: Action;
  /** Why, in words a user recognizes: "file /etc/lanmcp-edge/config.json is up to date (3f2a1c…)". */
  reason: string;
  before?: ChangeState;
  after?: ChangeState;
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
