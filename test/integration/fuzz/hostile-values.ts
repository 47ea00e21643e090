import type { Random } from './random.js';

// Hostile JSON values and JSON-RPC bodies. Everything here is plain data built from a seeded Random, so a
// failing input is replayed from its seed; `family` names what kind of hostility a body carries.

/** Strings an agent (or an injected prompt) may send: NULs, odd Unicode, traversal, shell syntax, size. */
const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '/etc/passwd\u0000.txt', '\ud800', '\udfff', '\ufeff', '\u202e', '\u200b\u200d', '🙂', 'ǅ', 'İ',
  '..', '../..', '/../../../../etc/shadow', '/./././', '//', '/proc/self/environ', '$(touch /tmp/pwn)', '`id`', '; rm -rf / #',
  '\n', '\r\n', '%00', '%2e%2e%2f', '\\\\server\\share', 'C:\\Windows', '-rf', '--help', '*', '?', '[a-z]', '{a,b}', '${IFS}',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'null', 'undefined', 'NaN', '1e309',
];

const NUMBERS = [0, -0, 1, -1, 0.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 2 ** 32, 4_294_967_295, 1e-320];

export function hostileString(r: Random, maxLength = 4096): string {
  switch (r.int(0, 5)) {
    case 0:
      return r.pick(ODD_STRINGS);
    case 1:
      return r.pick(ODD_STRINGS).repeat(r.int(1, Math.max(1, Math.floor(maxLength / 16))));
    case 2:
      return 'x'.repeat(r.int(0, maxLength));
    case 3:
      return Array.from({ length: r.int(1, 64) }, () => String.fromCharCode(r.int(0, 0xffff))).join('');
    case 4:
      return `/${Array.from({ length: r.int(1, 8) }, () => r.pick(['..', '.', '', 'etc', 'tmp', 'a\u0000', 'x'.repeat(r.int(1, 300))])).join('/')}`;
    default:
      return r.pick(['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs', 'status', 'ssh']);
  }
}

/** Any JSON value, nested up to `depth`, including prototype-pollution keys. */
export function hostileValue(r: Random, depth = 3): unknown {
  const kind = depth <= 0 ? r.int(0, 3) : r.int(0, 6);
  switch (kind) {
    case 0: return hostileString(r, 512);
    case 1: return r.pick(NUMBERS);
    case 2: return r.pick([true, false, null]);
    case 3: return r.chance(0.5) ? [] : {};
    case 4: return Array.from({ length: r.int(0, 5) }, () => hostileValue(r, depth - 1));
    case 5: return pollutingObject(r, depth - 1);
    default: return Object.fromEntries(Array.from({ length: r.int(0, 5) }, () => [hostileString(r, 32), hostileValue(r, depth - 1)]));
  }
}

/** JSON text whose parse gives an object with own `__proto__` / `constructor.prototype` keys. */
export function pollutingObject(r: Random, depth = 1): unknown {
  const payload = depth > 0 && r.chance(0.3) ? hostileValue(r, depth - 1) : { polluted: 'yes', isAdmin: true };
  return JSON.parse(`{"__proto__": ${JSON.stringify(payload)}, "constructor": {"prototype": ${JSON.stringify(payload)}}}`);
}

/** `[[[…]]]` as text: JSON.parse copes with any depth, recursive code after it may not. */
export function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

export const TOOL_NAMES = ['run_command', 'read_file', 'write_file', 'list_dir', 'system_info', 'service', 'logs'] as const;

/** Arguments for one tool: mostly the right shape with a hostile value in one place, sometimes anything at all. */
export function hostileArguments(r: Random, tool: string): unknown {
  const base: Record<string, Record<string, unknown>> = {
    run_command: { command: 'echo hi' }, read_file: { path: '/etc/hostname' }, write_file: { path: '/tmp/lanmcp-fuzz-never', content: 'x' },
    list_dir: { path: '/' }, system_info: {}, service: { unit: 'ssh', action: 'status' }, logs: { lines: 5 },
  };
  if (r.chance(0.15)) return hostileValue(r, 3);
  const args: Record<string, unknown> = { ...(base[tool] ?? {}) };
  const keys = [...Object.keys(args), 'argv', 'cwd', 'env', 'stdin', 'timeout_s', 'offset', 'length', 'encoding', 'mode', 'create_dirs', 'unit', 'since', 'priority', 'show_hidden', '__proto__', 'constructor'];
  for (let i = r.int(1, 3); i > 0; i--) {
    const key = r.pick(keys);
    if (key === '__proto__') Object.defineProperty(args, key, { value: hostileValue(r, 2), enumerable: true, configurable: true, writable: true });
    else args[key] = r.chance(0.3) ? hostileString(r, 8192) : hostileValue(r, 2);
  }
  return args;
}

export interface HostileBody {
  family: string;
  text: string | Buffer;
}

const METHODS = ['initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'prompts/list', 'logging/setLevel', 'notifications/initialized', 'notifications/cancelled', 'completion/complete'];

function message(r: Random): Record<string, unknown> {
  const method = r.chance(0.85) ? r.pick(METHODS) : r.pick<unknown>([null, 7, '', 'constructor', '__proto__', 'tools/call\u0000', hostileString(r, 256), ['tools/call']]);
  const msg: Record<string, unknown> = { jsonrpc: r.chance(0.9) ? '2.0' : r.pick<unknown>(['1.0', 2, '2', null, '2.0 ']), method };
  if (r.chance(0.85)) msg.id = r.chance(0.7) ? r.int(0, 1_000_000) : r.pick<unknown>(['1', '', null, {}, [], 1.5, -0, true, 'x'.repeat(r.int(0, 5000)), 2 ** 60]);
  if (method === 'tools/call' && r.chance(0.85)) {
    const name = r.chance(0.85) ? r.pick(TOOL_NAMES) : hostileString(r, 128);
    const params: Record<string, unknown> = { name, arguments: hostileArguments(r, name) };
    if (r.chance(0.25)) params._meta = r.pick<unknown>([{ progressToken: r.int(0, 99) }, { progressToken: 'p' }, { progressToken: {} }, null, 'meta', hostileValue(r, 2)]);
    msg.params = params;
  } else if (method === 'initialize' && r.chance(0.7)) {
    msg.params = { protocolVersion: r.pick<unknown>(['2025-11-25', '2024-11-05', '1999-01-01', 20251125, null]), capabilities: hostileValue(r, 2), clientInfo: hostileValue(r, 2) };
  } else if (method === 'notifications/cancelled') {
    msg.params = { requestId: r.pick<unknown>([1, '1', null, {}, 'x']), reason: hostileString(r, 256) };
  } else if (r.chance(0.5)) {
    msg.params = r.chance(0.7) ? hostileValue(r, 3) : pollutingObject(r, 1);
  }
  if (r.chance(0.05)) msg.result = hostileValue(r, 2);
  if (r.chance(0.05)) msg.error = hostileValue(r, 2);
  return msg;
}

/** One request body; `argumentDepth` is how deep `[[…]]` nesting inside tool arguments may go. */
export function hostileBody(r: Random, options: { maxBytes: number; argumentDepth: number }): HostileBody {
  const valid = JSON.stringify(message(r));
  switch (r.int(0, 15)) {
    case 0: return { family: 'truncated', text: valid.slice(0, r.int(0, valid.length - 1)) };
    case 1: return { family: 'batch', text: `[${Array.from({ length: r.int(0, 4) }, () => JSON.stringify(message(r))).join(',')}]` };
    case 2: return { family: 'deep-elsewhere', text: `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":${deepArray(r.int(1000, 20_000))}}}` };
    case 3: return { family: 'deep-arguments', text: `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"${r.pick(TOOL_NAMES)}","arguments":{"path":"/x","extra":${deepArray(r.int(1, options.argumentDepth))}}}}` };
    case 4: return { family: 'huge', text: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'read_file', arguments: { path: 'y'.repeat(r.int(options.maxBytes - 1024, options.maxBytes + 4096)) } } }) };
    case 5: return { family: 'garbage', text: Buffer.from(Array.from({ length: r.int(0, 512) }, () => r.int(0, 255))) };
    case 6: return { family: 'bom-or-nul', text: r.pick([`\ufeff${valid}`, `${valid}\u0000`, `\u0000${valid}`, `${valid}${valid}`, `${valid}garbage`]) };
    case 7: return { family: 'scalar', text: r.pick(['null', 'true', '0', '""', '[]', '{}', '"2.0"', '1e400', '-', ' ', '']) };
    case 8: return { family: 'invalid-utf8', text: Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}')]) };
    case 9: return { family: 'wide-array', text: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'run_command', arguments: { argv: Array.from({ length: r.int(1000, 20_000) }, (_, i) => String(i)) } } }) };
    case 10: return { family: 'many-keys', text: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'run_command', arguments: { command: 'true', env: Object.fromEntries(Array.from({ length: r.int(100, 5000) }, (_, i) => [`K${i}`, 'v'])) } } }) };
    default: return { family: 'message', text: valid };
  }
}
