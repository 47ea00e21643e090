import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../../src/edge/config.js';
import { createEdge, type Edge } from '../../../src/edge/edge.js';
import type { JsonRpcResponse } from '../../../src/edge/json-rpc.js';
import { createSystem } from '../../../src/edge/probes.js';
import type { RunRequest, RunResult, System } from '../../../src/edge/system.js';
import { testConfig } from '../../unit/edge/test-config.js';
import { createFsWorld, isInside, physicalTarget, worldPath, type FsWorld } from './fs-world.js';
import { hostileArguments, hostileString, hostileValue } from './hostile-values.js';
import { createRandom, fuzzSettings, type Random } from './random.js';

// Tool arguments against the real file system in a temp dir, with the edge's own files (bundle, config,
// unit, receipt) as protected paths there. Processes are recorded, not run (fuzzed commands are not safe
// to execute), except when an argument carries NUL: then the real spawn must refuse before any exec.
const { seed, scale } = fuzzSettings();
const COUNT = Math.round(1500 * scale);
const NUL = '\u0000';

let world: FsWorld;
let config: EdgeConfig;
let edge: Edge;
let runs: RunRequest[];
let audit: string[];

/** The real System with run() recorded instead of executed; a NUL-carrying request goes to the real spawn. */
function restrictedSystem(real: System): System {
  return {
    ...real,
    async run(request): Promise<RunResult> {
      const carriesNul = [request.file, ...request.args, request.cwd ?? '', ...Object.entries(request.env ?? {}).flat()].some((s) => s.includes(NUL));
      if (carriesNul) return real.run(request);
      runs.push(request);
      return { exitCode: 0, signal: null, stdout: 'recorded\n', stderr: '', stdoutBytes: 9, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, durationMs: 1, timedOut: false };
    },
  };
}

beforeAll(() => {
  world = createFsWorld();
  runs = [];
  audit = [];
  config = testConfig({ max_output_bytes: 65_536, max_concurrent: 1024 }, { protected_paths: world.protectedPaths });
  edge = createEdge(config, restrictedSystem(createSystem((line) => audit.push(line))));
});
afterAll(() => world?.remove());

const noContext = { signal: new AbortController().signal, notify: () => {} };
let nextId = 1;

async function call(name: string, args: unknown): Promise<{ response: JsonRpcResponse; text: string; isError: boolean }> {
  const response = (await edge.handle({ kind: 'request', message: { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } } }, noContext))!;
  const result = 'result' in response ? (response.result as { content?: { text: string }[]; isError?: boolean }) : undefined;
  return { response, text: result?.content?.[0]?.text ?? '', isError: result?.isError === true };
}

/** Fuzzed write_file / read_file / list_dir arguments over the world's paths; undefined when a write could leave the temp dir. */
function pathCall(r: Random, options: { dotDotAfterLink: boolean }): { tool: string; args: Record<string, unknown>; target?: string } | undefined {
  const path = worldPath(r, world, options);
  const target = physicalTarget(path);
  if (target !== undefined && !isInside(target, [world.root])) return undefined;
  const tool = r.pick(['write_file', 'write_file', 'write_file', 'read_file', 'list_dir']);
  const args: Record<string, unknown> = { path };
  if (tool === 'write_file') {
    args.content = r.chance(0.9) ? 'fuzz\n' : hostileString(r, 4096);
    if (r.chance(0.3)) args.create_dirs = true;
    if (r.chance(0.2)) args.mode = r.pick(['0644', '0600', '4755', '0000', '777', '08', '-1', '0o644']);
    if (r.chance(0.1)) args.encoding = r.pick(['base64', 'utf8', 'hex']);
  }
  if (tool === 'read_file' && r.chance(0.3)) Object.assign(args, { offset: r.pick([0, 1, 2 ** 40, -1, 1.5]), length: r.pick([0, 1, 2 ** 31, -5]) });
  return { tool, args, ...(target !== undefined ? { target } : {}) };
}

/** Runs fuzzed path calls and returns every violation: a protected file changed, a protected write not refused, a throw. */
async function fuzzPaths(r: Random, count: number, options: { dotDotAfterLink: boolean }): Promise<string[]> {
  const failures: string[] = [];
  const before = world.snapshot();
  for (let i = 0; i < count && failures.length < 10; i++) {
    const planned = pathCall(r, options);
    if (!planned) continue;
    const { response, isError, text } = await call(planned.tool, planned.args).catch((error: unknown) => ({ response: undefined, isError: false, text: `threw ${String(error)}` }));
    const label = `#${i} ${planned.tool} ${JSON.stringify(planned.args).slice(0, 300)} → ${planned.target ?? '(no target)'}`;
    if (!response || !('result' in response)) failures.push(`${label}: no result (${text})`);
    else if (planned.tool === 'write_file' && (planned.target === undefined || isInside(planned.target, world.protectedPaths)) && !isError) failures.push(`${label}: not refused: ${text}`);
    else if (world.snapshot() !== before) failures.push(`${label}: a protected file changed: ${text}`);
    if (world.snapshot() !== before) break;
  }
  return failures;
}

describe(`edge tool arguments fuzz (seed ${seed})`, () => {
  it(`paths with .., ., //, symlinks into the edge's own files, NUL and long names: a write into a protected path is always refused (${COUNT} calls)`, async () => {
    const failures = await fuzzPaths(createRandom(seed).fork('paths'), COUNT, { dotDotAfterLink: false });
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(readFileSync(join(world.root, 'etc-lanmcp-edge/config.json'), 'utf8')).toBe('{"token_sha256":"00"}\n');
  }, 60_000);

  // Was a bug (fixed in 888e4d6, write_file now refuses `.` and `..` segments): `..` was folded lexically
  // before symlinks were resolved, but the kernel applies it to the directory a symlink led to, so
  // write_file("<sandbox>/to-lib/../pwned") (to-lib → <opt-lanmcp-edge>/lib) landed in <opt-lanmcp-edge>.
  it('`..` after a symlink into a protected directory does not write into it', async () => {
    const escape = `${world.sandbox}/to-lib/../pwned`;
    const result = await call('write_file', { path: escape, content: 'pwned\n' });
    const landed = existsSync(join(world.root, 'opt-lanmcp-edge/pwned'));
    expect({ landed, isError: result.isError }).toEqual({ landed: false, isError: true });
  });

  it('the path fuzzer with `..` allowed after symlinks finds no way into a protected path', async () => {
    const failures = await fuzzPaths(createRandom(seed).fork('paths-dotdot'), COUNT, { dotDotAfterLink: true });
    expect(failures, `seed ${seed}`).toEqual([]);
  }, 60_000);

  it('NUL bytes in paths, argv, cwd and env are refused with a clear isError and nothing is executed', async () => {
    const recorded = runs.length;
    const cases: [string, Record<string, unknown>][] = [
      ['read_file', { path: `${world.sandbox}/a.txt${NUL}.png` }], ['list_dir', { path: `${world.sandbox}${NUL}` }],
      ['write_file', { path: `${world.sandbox}/n${NUL}ul`, content: 'x' }],
      ['run_command', { argv: ['echo', `a${NUL}b`] }], ['run_command', { argv: [`/bin/sh${NUL}`, '-c', 'true'] }],
      ['run_command', { command: `touch ${world.root}/nul-marker${NUL}; true` }], ['run_command', { argv: ['true'], cwd: `/tmp${NUL}` }],
      ['run_command', { argv: ['true'], env: { A: `x${NUL}y` } }], ['run_command', { argv: ['true'], env: { [`A${NUL}B`]: 'x' } }],
    ];
    for (const [tool, args] of cases) {
      const { isError, text } = await call(tool, args);
      expect({ tool, isError, text }).toMatchObject({ tool, isError: true, text: expect.stringMatching(/null bytes|must be a string without null|could not start|ERR_INVALID_ARG_VALUE/) });
    }
    expect(runs.length).toBe(recorded);
    expect(existsSync(`${world.root}/nul-marker`)).toBe(false);
    expect(existsSync(join(world.sandbox, 'n'))).toBe(false);
  });

  it(`wrong types, huge and hostile arguments for every tool: isError or a result, never a throw; nothing runs that broke the schema (${COUNT} calls)`, async () => {
    const r = createRandom(seed).fork('arguments');
    const failures: string[] = [];
    for (let i = 0; i < COUNT && failures.length < 10; i++) {
      const tool = r.pick(['run_command', 'run_command', 'service', 'logs', 'system_info', 'read_file', 'list_dir']);
      const args = r.chance(0.1) ? hostileValue(r, 3) : hostileArguments(r, tool);
      const recorded = runs.length;
      let outcome: Awaited<ReturnType<typeof call>>;
      try {
        outcome = await call(tool, args);
      } catch (error) {
        failures.push(`#${i} ${tool} threw ${String(error)}`);
        continue;
      }
      const problem = checkRuns(tool, runs.slice(recorded), outcome);
      if (problem) failures.push(`#${i} ${tool} ${JSON.stringify(args).slice(0, 300)}: ${problem}`);
    }
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(audit.length).toBeGreaterThan(COUNT / 2);
  }, 60_000);
});

/** What a call may have started: only well-typed runs, no agent-chosen flag as a unit, no protected path named. */
function checkRuns(tool: string, started: RunRequest[], outcome: { response: JsonRpcResponse; isError: boolean; text: string }): string {
  if (!('result' in outcome.response)) return `a JSON-RPC error for a known tool: ${JSON.stringify(outcome.response)}`;
  for (const run of started) {
    const strings = [run.file, ...run.args, run.cwd ?? '/', ...Object.values(run.env ?? {})];
    if (strings.some((s) => typeof s !== 'string')) return `ran with a non-string argument: ${JSON.stringify(run)}`;
    if (typeof run.stdin !== 'undefined' && typeof run.stdin !== 'string') return `ran with non-string stdin: ${JSON.stringify(run.stdin)}`;
    if (!(run.timeoutMs > 0 && run.timeoutMs <= config.policy.timeout_s * 1000)) return `ran with timeout ${run.timeoutMs} ms`;
    if (tool === 'service' && run.args.some((a, i) => i > 0 && a.startsWith('-') && !/^--(no-pager|lines=20|property=)/.test(a))) return `systemctl got a flag from the agent: ${run.args.join(' ')}`;
    if (strings.some((s) => world.protectedPaths.some((p) => s.includes(p)))) return `ran a command naming a protected path: ${strings.join(' ')}`;
  }
  if (started.length > 0 && outcome.isError && tool === 'run_command') return `run_command both ran and failed: ${outcome.text}`;
  return '';
}
