import { LanmcpError } from '../shared/errors.js';

/** The tools an edge can offer; the inventory's `policy.tools` names a subset of these. */
export const TOOL_NAMES = ['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** What the agent may do on this device; enforced by the edge itself, never by the hub. */
export interface EdgePolicy {
  /** No mutating tool or service action; run_command only for commands matching `commands.allow`. */
  read_only: boolean;
  /** Enabled tools: the others are not listed and calling them is refused. */
  tools: ToolName[];
  /** Command patterns (see docs/edge.md): deny wins; a non-empty allow list refuses everything else. */
  commands: { allow: string[]; deny: string[] };
  timeout_s: number;
  max_output_bytes: number;
  max_concurrent: number;
}

/** `/etc/lanmcp-edge/config.json`, written by the provisioner from typed data. */
export interface EdgeConfig {
  /** The device name (`^[a-z][a-z0-9-]{0,30}$`); also an allowed Host/Origin name. */
  name: string;
  listen: { host: string; port: number };
  /** Lowercase hex sha256 of the bearer token; the token itself never rests on the device. */
  token_sha256: string;
  policy: EdgePolicy;
  /** Paths (files or directories) no tool may modify: the edge's bundle, config, unit, receipt. */
  protected_paths: string[];
  /** Extra Host/Origin names accepted besides localhost, the name, the listen host and the device's addresses. */
  allowed_hosts: string[];
  /** Largest accepted request body (413 beyond). */
  max_request_bytes: number;
  /** How often a long call reports progress (and SSE keep-alives are sent). */
  progress_interval_ms: number;
  /** PEM files of the edge's TLS key and self-signed certificate: present → HTTPS (the hub pins the key). */
  tls?: { cert_file: string; key_file: string };
}

/** The device layout contract (DESIGN.md "On the device"). */
export const DEFAULT_PROTECTED_PATHS = [
  '/opt/lanmcp-edge',
  '/etc/lanmcp-edge',
  '/etc/systemd/system/lanmcp-edge.service',
  '/etc/systemd/system/lanmcp-edge.service.d',
  '/var/lib/lanmcp-edge',
];

export const POLICY_DEFAULTS = { timeout_s: 60, max_output_bytes: 1_048_576, max_concurrent: 8 } as const;

const NAME_RE = /^[a-z][a-z0-9-]{0,30}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed config and collects every problem (`path: what is wrong`), so one run reports them all. */
export function checkEdgeConfig(json: unknown): { config?: EdgeConfig; problems: string[] } {
  const problems: string[] = [];
  if (!isObj(json)) return { problems: ['config: must be a JSON object'] };
  const c = new Checker(problems);
  const name = c.str(json, 'name', '', (v) => NAME_RE.test(v) || 'must match ^[a-z][a-z0-9-]{0,30}$');
  const listen = c.obj(json, 'listen');
  const host = c.str(listen, 'host', 'listen.', (v) => v.length > 0 || 'must not be empty');
  const port = c.int(listen, 'port', 'listen.', 1, 65535);
  const token = c.str(json, 'token_sha256', '', (v) => SHA256_RE.test(v) || 'must be 64 lowercase hex digits');
  const policy = parsePolicy(c, c.obj(json, 'policy'));
  const protectedPaths = c.strList(json, 'protected_paths', '', DEFAULT_PROTECTED_PATHS, (v) => v.startsWith('/') || 'must be absolute');
  const allowedHosts = c.strList(json, 'allowed_hosts', '', [], (v) => v.length > 0 || 'must not be empty');
  const maxRequest = c.int(json, 'max_request_bytes', '', 1024, 2 ** 30, 4 * 1_048_576);
  const progress = c.int(json, 'progress_interval_ms', '', 10, 3_600_000, 10_000);
  const tls = json.tls === undefined ? undefined : parseTls(c, c.obj(json, 'tls'));
  c.unknownKeys(json, '', ['name', 'listen', 'token_sha256', 'policy', 'protected_paths', 'allowed_hosts', 'max_request_bytes', 'progress_interval_ms', 'tls']);
  if (problems.length > 0) return { problems };
  const config: EdgeConfig = {
    name: name!, listen: { host: host!, port: port! }, token_sha256: token!, policy: policy!,
    protected_paths: protectedPaths!, allowed_hosts: allowedHosts!, max_request_bytes: maxRequest!, progress_interval_ms: progress!,
    ...(tls ? { tls } : {}),
  };
  return { config, problems };
}

/** Parses a config or throws one E_EDGE_CONFIG error listing every problem. */
export function parseEdgeConfig(json: unknown): EdgeConfig {
  const { config, problems } = checkEdgeConfig(json);
  if (!config) {
    throw new LanmcpError('E_EDGE_CONFIG', `invalid edge config: ${problems.join('; ')}`, {
      hint: 're-run `lanmcp apply` to rewrite /etc/lanmcp-edge/config.json',
    });
  }
  return config;
}

function parseTls(c: Checker, t: Obj | undefined): EdgeConfig['tls'] {
  const absolute = (v: string) => v.startsWith('/') || 'must be an absolute path';
  const cert = c.str(t, 'cert_file', 'tls.', absolute);
  const key = c.str(t, 'key_file', 'tls.', absolute);
  if (t) c.unknownKeys(t, 'tls.', ['cert_file', 'key_file']);
  return cert && key ? { cert_file: cert, key_file: key } : undefined;
}

function parsePolicy(c: Checker, p: Obj | undefined): EdgePolicy | undefined {
  const at = 'policy.';
  const readOnly = c.bool(p, 'read_only', at, false);
  const tools = c.strList(p, 'tools', at, [...TOOL_NAMES], (v) => (TOOL_NAMES as readonly string[]).includes(v) || `unknown tool (known: ${TOOL_NAMES.join(', ')})`);
  const commands = p?.commands === undefined ? {} : c.obj(p, 'commands', at);
  const allow = c.strList(commands, 'allow', `${at}commands.`, [], (v) => v.trim().length > 0 || 'must not be blank');
  const deny = c.strList(commands, 'deny', `${at}commands.`, [], (v) => v.trim().length > 0 || 'must not be blank');
  const timeout = c.int(p, 'timeout_s', at, 1, 86_400, POLICY_DEFAULTS.timeout_s);
  const maxOutput = c.int(p, 'max_output_bytes', at, 1024, 2 ** 30, POLICY_DEFAULTS.max_output_bytes);
  const maxConcurrent = c.int(p, 'max_concurrent', at, 1, 1024, POLICY_DEFAULTS.max_concurrent);
  if (p) c.unknownKeys(p, at, ['read_only', 'tools', 'commands', 'timeout_s', 'max_output_bytes', 'max_concurrent']);
  if (commands) c.unknownKeys(commands, `${at}commands.`, ['allow', 'deny']);
  if (readOnly === undefined || !tools || !allow || !deny || !timeout || !maxOutput || !maxConcurrent) return undefined;
  return {
    read_only: readOnly, tools: tools as ToolName[], commands: { allow, deny },
    timeout_s: timeout, max_output_bytes: maxOutput, max_concurrent: maxConcurrent,
  };
}

/** Field readers that record a problem and return undefined instead of throwing. */
class Checker {
  constructor(private readonly problems: string[]) {}

  obj(o: Obj | undefined, key: string, at = ''): Obj | undefined {
    const v = o?.[key];
    if (isObj(v)) return v;
    this.problems.push(`${at}${key}: ${v === undefined ? 'is required' : 'must be an object'}`);
    return undefined;
  }

  str(o: Obj | undefined, key: string, at: string, rule: (v: string) => true | string): string | undefined {
    if (!o) return undefined;
    const v = o[key];
    if (typeof v !== 'string') return this.fail(`${at}${key}: ${v === undefined ? 'is required' : 'must be a string'}`);
    const verdict = rule(v);
    return verdict === true ? v : this.fail(`${at}${key}: ${verdict} (got ${JSON.stringify(v)})`);
  }

  int(o: Obj | undefined, key: string, at: string, min: number, max: number, fallback?: number): number | undefined {
    if (!o) return undefined; // the missing parent was reported already
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.fail(`${at}${key}: ${v === undefined ? 'is required' : `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`}`);
  }

  bool(o: Obj | undefined, key: string, at: string, fallback: boolean): boolean | undefined {
    const v = o?.[key];
    if (v === undefined) return fallback;
    return typeof v === 'boolean' ? v : this.fail(`${at}${key}: must be true or false`);
  }

  strList(o: Obj | undefined, key: string, at: string, fallback: string[], rule: (v: string) => true | string): string[] | undefined {
    const v = o?.[key];
    if (v === undefined) return fallback;
    if (!Array.isArray(v)) return this.fail(`${at}${key}: must be an array of strings`);
    const bad = v.map((item, i) => (typeof item !== 'string' ? `${at}${key}[${i}]: must be a string` : rule(item) === true ? '' : `${at}${key}[${i}]: ${rule(item)} (got ${JSON.stringify(item)})`));
    const messages = bad.filter((m) => m !== '');
    return messages.length === 0 ? (v as string[]) : (this.problems.push(...messages), undefined);
  }

  unknownKeys(o: Obj, at: string, known: string[]): void {
    for (const key of Object.keys(o)) if (!known.includes(key)) this.problems.push(`${at}${key}: unknown setting`);
  }

  private fail(message: string): undefined {
    this.problems.push(message);
    return undefined;
  }
}
