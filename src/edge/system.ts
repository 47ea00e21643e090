/**
 * Every OS call the edge makes goes through this interface, passed to `createEdge(config, system)`:
 * the real one is in probes.ts, tests pass fakes. Failures of fs calls reject with Node-style errors
 * carrying `code` (ENOENT, EACCES, …).
 */
export interface System {
  /** Runs a program (no shell unless `file` is /bin/sh) in its own process group; never rejects. */
  run(request: RunRequest): Promise<RunResult>;
  /** Reads up to `length` bytes from `offset`; `size` is the whole file's size. */
  readFile(path: string, offset: number, length: number): Promise<{ size: number; data: Buffer }>;
  /** Writes via a temp file in the same directory and rename, so readers never see half a file. */
  writeFileAtomic(path: string, data: Buffer, options: { mode?: number; createDirs: boolean }): Promise<void>;
  listDir(path: string): Promise<DirEntry[]>;
  /** Resolves symlinks and `..`; rejects with ENOENT when the path does not exist. */
  realpath(path: string): Promise<string>;
  facts(): Promise<SystemFacts>;
  /** One audit line (journald picks up stdout). */
  log(line: string): void;
  now(): number;
}

export interface RunRequest {
  file: string;
  args: string[];
  cwd?: string;
  /** Added to the edge's own environment. */
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs: number;
  /** Per stream; output past the cap is read and discarded so the child never blocks on a full pipe. */
  maxOutputBytes: number;
  /** Aborting kills the whole process group (cancellation, client gone, edge shutdown). */
  signal: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  timedOut: boolean;
  /** Why the run was aborted (the signal's reason), when it was. */
  aborted?: string;
  /** The program could not be started (ENOENT, EACCES, bad cwd). */
  spawnError?: string;
}

export interface DirEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits as octal text, e.g. `0644`. */
  mode: string;
  mtime: string;
}

/** Raw facts as the OS gives them; parsing them is pure (system-facts.ts). */
export interface SystemFacts {
  hostname: string;
  osRelease: string;
  kernel: string;
  arch: string;
  uptimeS: number;
  loadavg: number[];
  meminfo: string;
  /** `df -P -B1 -T` output, or undefined when df failed. */
  df?: string;
  /** Millidegrees Celsius per thermal zone, as read from /sys/class/thermal. */
  thermalMilliC: number[];
  nodeVersion: string;
  /** The device's own IP addresses (for the Host/Origin allow list). */
  addresses: string[];
}
