import type { EdgePolicy } from './config.js';

/** The verdict of a policy check; a refusal names the rule so the agent (and the audit log) can see why. */
export type Refusal = { allowed: false; rule: string; reason: string };
export type Decision = { allowed: true } | Refusal;

export const ALLOWED: Decision = { allowed: true };

export function refuse(rule: string, reason: string): Refusal {
  return { allowed: false, rule, reason };
}

/** What run_command was asked to run: an argv (enforceable) or a shell string (guardrail only). */
export type CommandSpec = { argv: string[] } | { shell: string };

/** Output redirection into a file (`>`, `>>`), not `2>&1` or `>/dev/null`. */
const WRITES_FILE = />(?!&|\s*\/dev\/null\b)/;

/** Shell features an allow list cannot see through: anything could run inside them. */
const OPAQUE_SHELL = /\$\(|`|<\(|>\(|\$\{|\beval\b|\bexec\b/;

/**
 * Decides run_command against `commands.deny`, `commands.allow` and `read_only` (docs/edge.md "Policy").
 * argv mode matches argv[0]'s basename plus the arguments; a shell string is split at `; && || | &` and
 * newlines and each segment matched the same way — a guardrail, since a shell can always hide a command.
 */
export function decideCommand(policy: EdgePolicy, spec: CommandSpec): Decision {
  const segments = 'argv' in spec ? [spec.argv] : splitShell(spec.shell);
  const { allow, deny } = policy.commands;
  const denied = deny.find((pattern) => segments.some((words) => matchPattern(pattern, words)));
  if (denied !== undefined) return refuse('policy.commands.deny', `matches the deny pattern "${denied}"`);
  if (policy.read_only && allow.length === 0) {
    return refuse('policy.read_only', 'this device is read-only and has no commands.allow list, so run_command is disabled');
  }
  if (allow.length === 0) return ALLOWED;
  const rule = policy.read_only ? 'policy.read_only' : 'policy.commands.allow';
  if ('shell' in spec && OPAQUE_SHELL.test(spec.shell)) {
    return refuse(rule, 'the shell string uses substitution or eval, which an allow list cannot check; pass argv instead');
  }
  if ('shell' in spec && policy.read_only && WRITES_FILE.test(spec.shell)) {
    return refuse('policy.read_only', 'output redirection writes files on a read-only device');
  }
  const unmatched = segments.find((words) => !allow.some((pattern) => matchPattern(pattern, words)));
  return unmatched === undefined ? ALLOWED : refuse(rule, `"${unmatched.join(' ')}" matches no commands.allow pattern`);
}

/**
 * A pattern is words separated by spaces; each word is a glob (`*`, `?`) matched against the command's
 * word at the same place, the first against the program's basename; extra command words are allowed
 * unless the pattern ends with `$`. `systemctl status *` matches `/usr/bin/systemctl status ssh`.
 */
export function matchPattern(pattern: string, words: readonly string[]): boolean {
  const parts = pattern.trim().split(/\s+/);
  const anchored = parts[parts.length - 1] === '$';
  if (anchored) parts.pop();
  if (words.length < parts.length || (anchored && words.length !== parts.length)) return false;
  return parts.every((part, i) => globMatch(i === 0 ? basename(part) : part, i === 0 ? basename(words[0] ?? '') : words[i]!));
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function globMatch(glob: string, text: string): boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(text);
}

/** Splits a shell string into command segments of words (quotes removed, leading VAR=value dropped). */
export function splitShell(command: string): string[][] {
  return command
    // `&` separates commands, but not inside redirections such as `2>&1` or `&>file`.
    .split(/\|\||&&|[;|\n]|(?<![<>])&(?!>)/)
    .map((segment) => segment.trim().split(/\s+/).filter((w) => w !== '').map((w) => w.replace(/["']/g, '')))
    .map((words) => words.slice(words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))))
    .filter((words) => words.length > 0 && words[0] !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]));
}
