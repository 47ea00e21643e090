/**
 * `~/.ssh/config` parsing, pure: the file becomes a flat list of directives, each carrying the
 * conditions (`Host` / `Match` blocks, nested through `Include`) under which it applies. Reading
 * included files is injected, so this module does no I/O. ssh-config-resolve.ts evaluates the list.
 */
import { LanmcpError } from '../shared/errors.js';

export type SshConfigCondition =
  | { kind: 'host'; patterns: string[] }
  | { kind: 'match'; criteria: MatchCriterion[] };

/** One `Match` criterion; `name` is lower-case (`all`, `host`, `user`, …), `patterns` its comma list. */
export interface MatchCriterion {
  name: string;
  negated: boolean;
  patterns: string[];
}

export interface SshConfigDirective {
  /** Lower-case keyword, e.g. `hostname`, `identityfile`. */
  keyword: string;
  args: string[];
  /** All must hold for the directive to apply (a block, plus the block an `Include` sat in). */
  conditions: SshConfigCondition[];
  file: string;
  line: number;
}

/** Files an `Include` argument names (already globbed and read), in order. */
export type ReadIncluded = (pattern: string, fromFile: string) => { file: string; text: string }[];

const MAX_INCLUDE_DEPTH = 16;

/** Parses ssh_config text. Throws E_SSH_CONFIG naming file:line for a line OpenSSH would reject too. */
export function parseSshConfig(text: string, file: string, readIncluded: ReadIncluded = () => []): SshConfigDirective[] {
  return parseInto(text, file, [], readIncluded, 0);
}

function parseInto(text: string, file: string, outer: SshConfigCondition[], readIncluded: ReadIncluded, depth: number): SshConfigDirective[] {
  const directives: SshConfigDirective[] = [];
  let block: SshConfigCondition[] = outer;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const words = splitConfigLine(raw, file, line);
    const [first, ...args] = words;
    if (first === undefined) return;
    const keyword = first.toLowerCase();
    if (keyword === 'host') block = [...outer, { kind: 'host', patterns: requireArgs(args, 'Host', file, line) }];
    else if (keyword === 'match') block = [...outer, { kind: 'match', criteria: parseMatch(args, file, line) }];
    else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) throw configError(file, line, `Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      for (const pattern of requireArgs(args, 'Include', file, line)) {
        for (const included of readIncluded(pattern, file)) directives.push(...parseInto(included.text, included.file, block, readIncluded, depth + 1));
      }
    } else directives.push({ keyword, args: requireArgs(args, first, file, line), conditions: block, file, line });
  });
  return directives;
}

/** `Keyword value`, `Keyword=value` or `Keyword = value`; double quotes group words; `#` starts a comment line. */
export function splitConfigLine(raw: string, file: string, line: number): string[] {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return [];
  const keyword = /^[^\s=]+/.exec(text)?.[0] ?? '';
  const rest = text.slice(keyword.length).replace(/^\s*=?\s*/, '');
  const words = [keyword];
  const re = /"([^"]*)"|([^\s"]+)/gy;
  let at = 0;
  while (at < rest.length) {
    const gap = /\s*/y;
    gap.lastIndex = at;
    gap.exec(rest);
    at = gap.lastIndex;
    if (at >= rest.length) break;
    re.lastIndex = at;
    const match = re.exec(rest);
    if (!match) throw configError(file, line, 'unbalanced double quote');
    words.push(match[1] ?? match[2] ?? '');
    at = re.lastIndex;
  }
  return words;
}

function parseMatch(args: string[], file: string, line: number): MatchCriterion[] {
  const criteria: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = (args[i] ?? '').toLowerCase();
    const negated = word.startsWith('!');
    const name = negated ? word.slice(1) : word;
    if (['all', 'canonical', 'final'].includes(name)) {
      criteria.push({ name, negated, patterns: [] });
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw configError(file, line, `Match ${name} needs an argument`);
    criteria.push({ name, negated, patterns: value.split(',') });
  }
  if (criteria.length === 0) throw configError(file, line, 'Match needs at least one criterion');
  return criteria;
}

function requireArgs(args: string[], keyword: string, file: string, line: number): string[] {
  if (args.length === 0) throw configError(file, line, `${keyword} needs a value`);
  return args;
}

/** E_SSH_CONFIG naming the place in the config file. */
export function configError(file: string, line: number, message: string): LanmcpError {
  return new LanmcpError('E_SSH_CONFIG', `${file}:${line}: ${message}`, {
    hint: 'fix that line of the ssh config (lanmcp reads it as OpenSSH does, for HostName, User, Port, IdentityFile and ProxyJump)',
  });
}
