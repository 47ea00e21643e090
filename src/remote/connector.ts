/**
 * The seam between lanmcp and a device. facts/ and apply/ use only this interface: over SSH it is
 * `connectSsh` (ssh.ts); in unit tests an in-memory fake implements it.
 */

/** How a command ended. `code` is the exit status (128 + signal number when killed by a signal). */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  signal?: string;
}

export interface ExecOptions {
  /** Sent on the command's stdin, then closed (binary-safe for Uint8Array). Without it stdin is empty. */
  stdin?: string | Uint8Array;
  /** Run as root: through `sudo -n` when the device's become is sudo, as-is when it is none. */
  become?: boolean;
  /** Give up after this long: the device kills the command's process group (coreutils `timeout`) and the call throws E_REMOTE_COMMAND. */
  timeoutMs?: number;
}

export interface PutFileOptions {
  /** Permission bits of the written file, e.g. 0o600. */
  mode: number;
  /** Write as root and make root the owner. */
  become?: boolean;
}

export interface Connector {
  /** `user@host:port` (plus the device name) for messages. */
  readonly label: string;
  /**
   * Runs a shell command (POSIX sh) on the device. Never throws for a non-zero exit: returns it. Throws
   * LanmcpError for transport failures, and E_SUDO_PASSWORD when become=true and sudo asked for a password.
   */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Writes a file atomically: streams content to a temp name in the same directory (same filesystem),
   * sets mode (and owner root when becoming), fsyncs where possible, then `mv -f` over the target. A
   * reader never sees a half-written file. The directory must exist. Failure → E_REMOTE_COMMAND.
   */
  putFile(remotePath: string, content: string | Uint8Array, options: PutFileOptions): Promise<void>;
  /** Ends the connection (and a jump host's, if any). Safe to call twice. */
  close(): Promise<void>;
}
