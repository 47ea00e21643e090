// The inventory's resolved data: what every other part of lanmcp consumes. Plain JSON (no classes, no
// functions) so `validate --json`, fixtures and the planner can use it as is.
import type { Diagnostic } from '../shared/diagnostics.js';
import type { Inventory } from './generated-types.js';

/** The edge tools a policy can enable, in the order the hub lists them. */
export const EDGE_TOOLS = ['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs'] as const;
export type EdgeToolName = (typeof EDGE_TOOLS)[number];

/** Where a device is defined: the position of its key under `hosts`. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ResolvedSsh {
  user: string;
  port: number;
  /** Absolute path; absent means "use the SSH agent and ~/.ssh keys". */
  identity_file?: string;
  /** Absolute path of an extra known_hosts file. */
  known_hosts?: string;
  become: 'sudo' | 'none';
  connect_timeout_s: number;
}

export interface ResolvedPolicy {
  read_only: boolean;
  tools: EdgeToolName[];
  /** `allow` empty means "no allow list": every command not denied may run (the schema forbids `allow: []`). */
  commands: { allow: string[]; deny: string[] };
  timeout_s: number;
  max_output_bytes: number;
  max_concurrent: number;
  /** Units a non-root edge may start/stop/restart/reload (a polkit rule); empty grants none. Root can control any unit anyway. */
  services: string[];
  confirm: 'destructive' | 'all' | 'never';
}

export interface ResolvedEdge {
  port: number;
  run_as: string;
  tls: boolean;
  policy: ResolvedPolicy;
}

export interface EdgeDevice {
  kind: 'edge';
  name: string;
  address: string;
  description?: string;
  tags: string[];
  /** Groups listing this device, in file order. */
  groups: string[];
  state: 'present' | 'absent';
  ssh: ResolvedSsh;
  edge: ResolvedEdge;
  source: SourceLocation;
}

export interface McpDevice {
  kind: 'mcp';
  name: string;
  url: string;
  description?: string;
  tags: string[];
  groups: string[];
  state: 'present' | 'absent';
  auth?: { bearer_env: string };
  headers_env?: Record<string, string>;
  source: SourceLocation;
}

export type Device = EdgeDevice | McpDevice;

export interface ResolvedHub {
  /** As written (or the default), e.g. `127.0.0.1:8765` or `[::1]:8765`. */
  listen: string;
  /** The host part without IPv6 brackets, ready for `listen({ host })`. */
  listen_host: string;
  listen_port: number;
  public_url?: string;
  /** The edge device that runs the hub as a service; absent means the hub runs where lanmcp runs. */
  host?: string;
  per_device_tools: boolean;
  /** Absolute path. */
  audit_log: string;
  tls?: { cert_file: string; key_file: string };
}

/** Where relative and `~` paths in the inventory point; passed in so resolution stays pure. */
export interface PathContext {
  /** The inventory's folder. */
  baseDir: string;
  /** The user's home folder; without it `~` paths are left as written. */
  homeDir?: string;
}

export interface ParseOptions {
  baseDir?: string;
  homeDir?: string;
}

/**
 * The outcome of reading an inventory. `inventory` is set when the document passed the schema;
 * `devices`, `hub` and `groups` only when there are no errors at all (warnings allowed).
 */
export interface InventoryResult {
  inventory?: Inventory;
  devices?: Device[];
  hub?: ResolvedHub;
  /** Group name → member host names, as `selectDevices` wants them. */
  groups?: Record<string, string[]>;
  diagnostics: Diagnostic[];
}

export type { Inventory };
