/**
 * Building POSIX sh command lines, pure. Everything lanmcp sends to a device goes through `quote`, so a
 * path or a value with spaces, quotes, `$()` or newlines stays one literal word on the device.
 */

/** Quotes one argument for POSIX sh: safe words stay bare, the rest go in single quotes. NUL cannot be passed. */
export function quote(arg: string): string {
  if (arg.includes('\0')) throw new TypeError(`a shell argument cannot contain a NUL byte: ${JSON.stringify(arg)}`);
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  // Inside single quotes nothing is special except the quote itself: close, add an escaped quote, reopen.
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** `argv` as one command line, each word quoted. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('a command line needs at least one word');
  return argv.map(quote).join(' ');
}

/**
 * A script run by `sh -c` whatever the login shell is. With `become`, through `sudo -n`: sudo never
 * prompts (no pty is ever requested), it fails at once with "a password is required" instead.
 */
export function shCommand(script: string, become: boolean): string {
  const sh = `sh -c ${quote(script)}`;
  return become ? `sudo -n -- ${sh}` : sh;
}

/**
 * The line sent for `exec`: the command as is, or wrapped for sudo and/or a time limit. The limit is
 * enforced on the device by coreutils `timeout`, which runs the command in its own process group and
 * signals the whole group (TERM, then KILL 2 s later): closing an SSH channel does not stop a
 * command, and an SSH "signal" request reaches only the login shell, never sudo's children.
 */
export function execCommandLine(command: string, options: { sudo: boolean; timeoutMs?: number }): string {
  if (!options.sudo && options.timeoutMs === undefined) return command;
  const limit = options.timeoutMs === undefined ? '' : `timeout -k 2 ${timeoutSeconds(options.timeoutMs)} `;
  return `${options.sudo ? 'sudo -n -- ' : ''}${limit}sh -c ${quote(command)}`;
}

function timeoutSeconds(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new TypeError(`not a timeout: ${ms} ms`);
  return String(Math.ceil(ms) / 1000);
}

/** What `sudo -n` prints when it would have to ask for a password (or a terminal to ask on). */
export function isSudoPasswordRefusal(stderr: string): boolean {
  return /^sudo: (a password is required|a terminal is required|sorry, you must have a tty)/im.test(stderr);
}

/** Mode as the octal word chmod takes (0o644 → `0644`); rejects anything that is not a permission mode. */
export function octalMode(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new TypeError(`not a file mode: ${mode}`);
  return mode.toString(8).padStart(4, '0');
}

export interface AtomicWriteScript {
  path: string;
  mode: number;
  /** Byte length of the content sent on stdin: a transfer cut short never replaces the target. */
  size: number;
  /** chown root:root the new file (when writing through sudo). */
  ownerRoot: boolean;
}

/**
 * The sh script behind `putFile`: content on stdin goes to a temp file beside the target (same
 * filesystem, so `mv` is an atomic rename), gets its size checked, mode and owner set and fsynced,
 * then replaces the target. The trap removes the temp file on every failure path.
 */
export function buildAtomicWriteScript(w: AtomicWriteScript): string {
  if (!w.path.startsWith('/')) throw new TypeError(`a remote path must be absolute: ${JSON.stringify(w.path)}`);
  if (w.path.endsWith('/')) throw new TypeError(`a remote file path cannot end with "/": ${JSON.stringify(w.path)}`);
  if (!Number.isSafeInteger(w.size) || w.size < 0) throw new TypeError(`not a byte size: ${w.size}`);
  return [
    'set -e',
    `p=${quote(w.path)}`,
    'd=$(dirname -- "$p")',
    `[ -d "$d" ] || { echo "lanmcp: directory $d does not exist" >&2; exit 3; }`,
    `[ ! -d "$p" ] || { echo "lanmcp: $p is a directory" >&2; exit 3; }`,
    't=',
    `trap '[ -z "$t" ] || rm -f -- "$t"' EXIT`,
    `t=$(mktemp "$d/.lanmcp.XXXXXX")`,
    'cat > "$t"',
    `n=$(wc -c < "$t" | tr -d ' ')`,
    `[ "$n" = ${w.size} ] || { echo "lanmcp: received $n of ${w.size} bytes for $p" >&2; exit 4; }`,
    ...(w.ownerRoot ? ['chown 0:0 "$t"'] : []),
    `chmod ${octalMode(w.mode)} "$t"`,
    'sync "$t" 2>/dev/null || true',
    'mv -f -- "$t" "$p"',
    't=',
    'sync "$d" 2>/dev/null || true',
  ].join('\n');
}
