/**
 * lanmcp's one error type. Every failure a user can meet carries a stable code (listed in README.md and
 * checked by a test), a message that says what went wrong and where, an optional hint that says what to
 * do, and the original error as `cause`. Only the CLI entry turns these into output and exit codes.
 */
export class LanmcpError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LanmcpError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** True for a LanmcpError, including one from another copy of this module (bundles). */
export function isLanmcpError(value: unknown): value is LanmcpError {
  return value instanceof Error && value.name === 'LanmcpError' && typeof (value as LanmcpError).code === 'string';
}

/** An error as plain data for plans, results and --json; an unexpected one is a bug and keeps its stack. */
export function toErrorData(error: unknown): { code: string; message: string; hint?: string } {
  if (isLanmcpError(error)) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: 'E_INTERNAL', message: `internal error, please report it: ${stack}` };
}

/**
 * Every error code, with the one-line meaning the README documents. Adding a code here without
 * documenting it in README.md fails `test/unit/error-codes-documented.test.ts`.
 */
export const ERROR_CODES = {
  E_USAGE: 'the command line is wrong: unknown command, flag or missing argument',
  E_INVENTORY_NOT_FOUND: 'the inventory file does not exist or cannot be read',
  E_INVENTORY_INVALID: 'the inventory has diagnostics (schema or semantic rules); each one is printed with file:line:col',
  E_INIT_EXISTS: '`lanmcp init` would overwrite an existing file',
  E_LIMIT_NO_MATCH: '`--limit` matched no device, or names an unknown tag or group',
  E_LAB_REQUIREMENTS: 'the local lab needs root on a Debian/Ubuntu host with debootstrap and systemd-nspawn',
  E_LAB_FAILED: 'a lab step (rootfs build, network, device boot) failed; the message names the step and device',
  E_LAB_NOT_RUNNING: 'a lab command needs a running lab (`lanmcp lab up`)',
  E_SSH_UNREACHABLE: 'the device did not answer SSH (connection refused, timed out, no route); the device is reported unreachable',
  E_SSH_AUTH: 'SSH authentication failed for the user and key the inventory names',
  E_SSH_HOSTKEY_UNKNOWN: 'the device presented a host key that no known_hosts file lists; rerun with --accept-new-host-keys to record it',
  E_SSH_HOSTKEY_CHANGED: "the device's host key differs from the recorded one (both fingerprints are shown); never accepted automatically",
  E_SSH_CONFIG: '~/.ssh/config (or an identity file it names) could not be read or has an entry lanmcp cannot follow',
  E_SUDO_PASSWORD: '`become: sudo` needs passwordless sudo (`sudo -n`); this device asked for a password',
  E_REMOTE_COMMAND: 'a command lanmcp ran on a device over SSH failed; the message shows the command, exit code and stderr',
  E_DEVICE_UNSUPPORTED: 'the device cannot run the edge (no systemd, or no Node.js >= 18) or, as hub.host, the hub (also systemd older than 247); the hint says what to install',
  E_ARTIFACT_MISSING: 'the edge or hub bundle (dist/edge.mjs, dist/hub.mjs) or a unit template is missing from this lanmcp installation',
  E_VERIFY_FAILED: 'after apply the edge did not answer MCP over pinned HTTPS with the new token and version, or the hub on hub.host did not answer /healthz with this version; that device was rolled back',
  E_APPLY_LOCKED: 'another `lanmcp apply` holds the lock on this inventory (.lanmcp/apply.lock); the message names its pid and start time',
  E_CONFIRM_REQUIRED: 'a command needs confirmation (apply, or exec on a device with policy.confirm) and there is no terminal to ask on: pass --yes',
  E_HUB_LISTEN: 'the hub cannot listen on HOST:PORT (address in use, or not an address of this machine), or a hub.tls certificate or key file is unusable',
  E_CLIENT_TOKENS: '.lanmcp/clients.json is invalid, or a client token name is invalid, taken or unknown',
  E_EDGE_CONFIG: 'the edge server could not load its config file (missing, unreadable or invalid)',
  E_INTERNAL: 'a bug in lanmcp: please report it with the printed stack',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
