// The hub service's desired state and facts: plain JSON data, like the edge's (src/plan/types.ts).
import type { Ownership } from '../plan/types.js';

/** A file of the hub service; content stays out of the plan (the config is secret-bearing). */
export interface HubFile {
  path: string;
  mode: number;
  /** Empty when the content depends on tokens this apply has yet to issue. */
  sha256: string;
  source: { kind: 'artifact'; name: 'hub.mjs' } | { kind: 'text'; text: string };
  /** Whether `diff --diff` may print the text (never the config: it holds the edges' tokens). */
  showDiff: boolean;
}

export interface DesiredHub {
  /** The hub host's inventory name. */
  host: string;
  address: string;
  /** `http://10.0.0.2:8765` (https with hub.tls): where apply checks `/healthz` after a restart. */
  base: string;
  version: string;
  files: HubFile[];
  /** Selected devices whose edge token or TLS pin this apply issues: the config will carry them. */
  pendingCredentials: string[];
}

export interface HubFileFacts {
  sha256: string;
  mode: number;
  owner: string;
  group: string;
  text?: string;
}

/** What the hub facts round trip found on the hub host. */
export interface HubFacts {
  nodeVersion: string | undefined;
  nodePath: string | undefined;
  systemd: boolean;
  /** `systemctl --version`'s number: the unit needs LoadCredential= (systemd ≥ 247). */
  systemdVersion?: number;
  files: Record<string, HubFileFacts | undefined>;
  /** The private folders (config, state): 0700 root:root wanted. */
  dirs: Record<string, Ownership | undefined>;
  service: { enabled: boolean; active: boolean; activeSince?: string };
  /** Written after a verified apply: the file hashes the running service was started with. */
  receipt: { lanmcp_version: string; files: Record<string, string> } | undefined;
  leftovers: string[];
}
