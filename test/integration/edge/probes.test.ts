import { existsSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSystem } from '../../../src/edge/probes.js';
import type { RunRequest } from '../../../src/edge/system.js';

// The real System: processes, process groups and files on this machine.
const system = createSystem(() => {});
const run = (file: string, args: string[], extra: Partial<RunRequest> = {}) =>
  system.run({ file, args, timeoutMs: 10_000, maxOutputBytes: 1_048_576, signal: new AbortController().signal, ...extra });

/** Gone, or a zombie waiting for a slow reaper (notes/test-lan.md): either way no longer running. */
function notRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

describe('real process runner', () => {
  it('runs a shell string and an argv, with cwd, env and stdin', async () => {
    const result = await run('/bin/sh', ['-c', 'pwd; echo "$GREETING"; cat; echo oops >&2; exit 3'], { cwd: '/tmp', env: { GREETING: 'hello' }, stdin: 'from stdin\n' });
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: '/tmp\nhello\nfrom stdin\n', stderr: 'oops\n', timedOut: false, stdoutTruncated: false });
    expect((await run('echo', ['a b', '$HOME'])).stdout).toBe('a b $HOME\n');
  });

  it('reports a missing program or working directory as a spawn error', async () => {
    expect((await run('no-such-program-xyz', [])).spawnError).toMatch(/no-such-program-xyz: not found/);
    expect((await run('true', [], { cwd: '/no/such/dir' })).spawnError).toMatch(/ENOENT/);
  });

  it('on timeout kills the whole process group, background jobs included', async () => {
    const started = Date.now();
    const result = await run('/bin/sh', ['-c', 'sleep 60 & echo $!; sleep 60'], { timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(3000);
    const pid = Number(result.stdout.trim());
    await vi.waitFor(() => expect(notRunning(pid)).toBe(true));
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const result = await run('/bin/sh', ['-c', "trap '' TERM; sleep 60 & echo $!; while :; do sleep 1; done"], { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    await vi.waitFor(() => expect(notRunning(Number(result.stdout.trim()))).toBe(true));
  });

  it('on abort (cancellation, client gone, shutdown) kills the group and reports the reason', async () => {
    const controller = new AbortController();
    const pending = run('/bin/sh', ['-c', 'sleep 60 & echo $!; wait'], { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort('cancelled: stop');
    const result = await pending;
    expect(result).toMatchObject({ aborted: 'cancelled: stop', timedOut: false });
    await vi.waitFor(() => expect(notRunning(Number(result.stdout.trim()))).toBe(true));
  });

  it('caps output but keeps reading, so a flood never blocks the child', async () => {
    const result = await run('yes', [], { timeoutMs: 500, maxOutputBytes: 4096 });
    expect(result).toMatchObject({ timedOut: true, stdoutTruncated: true });
    expect(result.stdout).toHaveLength(4096);
    expect(result.stdoutBytes).toBeGreaterThan(1_000_000);
    const big = await run('head', ['-c', '300000', '/dev/zero'], { maxOutputBytes: 1000 });
    expect(big).toMatchObject({ exitCode: 0, stdoutBytes: 300_000, stdoutTruncated: true, timedOut: false });
  });

  it('does not hang when a killed command left a setsid grandchild holding the pipes', async () => {
    const started = Date.now();
    const result = await run('/bin/sh', ['-c', 'setsid sleep 30 & echo $!; sleep 30'], { timeoutMs: 200 });
    const escaped = Number(result.stdout.trim());
    try {
      expect(result.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      process.kill(escaped, 'SIGKILL'); // it left our process group on purpose: the documented limit of group kills
    }
  });
});

describe('real files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-fs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically with the asked mode, leaves no temp file, creates parents on request', async () => {
    const path = join(dir, 'a.conf');
    writeFileSync(path, 'old');
    await system.writeFileAtomic(path, Buffer.from('new'), { mode: 0o600, createDirs: false });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await system.writeFileAtomic(path, Buffer.from('newer'), { createDirs: false });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.conf']);
    await system.writeFileAtomic(join(dir, 'x/y/z.txt'), Buffer.from('z'), { createDirs: true });
    expect(readFileSync(join(dir, 'x/y/z.txt'), 'utf8')).toBe('z');
    await expect(system.writeFileAtomic(join(dir, 'nope/z.txt'), Buffer.from('z'), { createDirs: false })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(system.writeFileAtomic(join(dir, 'x'), Buffer.from('z'), { createDirs: false })).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('reads byte ranges and lists entries with types; realpath resolves links', async () => {
    writeFileSync(join(dir, 'r.bin'), Buffer.from([1, 2, 3, 4, 5]));
    symlinkSync(join(dir, 'r.bin'), join(dir, 'link'));
    expect(await system.readFile(join(dir, 'r.bin'), 1, 2)).toEqual({ size: 5, data: Buffer.from([2, 3]) });
    expect(await system.readFile(join(dir, 'r.bin'), 10, 2)).toEqual({ size: 5, data: Buffer.alloc(0) });
    const entries = await system.listDir(dir);
    expect(entries.find((e) => e.name === 'link')).toMatchObject({ type: 'symlink' });
    expect(entries.find((e) => e.name === 'x')).toMatchObject({ type: 'dir' });
    expect(entries.find((e) => e.name === 'r.bin')).toMatchObject({ type: 'file', size: 5, mode: '0644' });
    expect(await system.realpath(join(dir, 'x/../link'))).toBe(join(dir, 'r.bin'));
    expect(existsSync(join(dir, 'r.bin'))).toBe(true);
  });

  it('gathers facts from this machine', async () => {
    const facts = await system.facts();
    expect(facts.osRelease).toContain('ID=');
    expect(facts.meminfo).toContain('MemTotal');
    expect(facts.df).toContain('Mounted on');
    expect(facts.addresses).toContain('127.0.0.1');
  });
});
