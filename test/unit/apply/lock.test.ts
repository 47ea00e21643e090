import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireApplyLock } from '../../../src/apply/lock.js';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'lanmcp-lock-')), '.lanmcp');

describe('apply lock', () => {
  it('a second apply on the same inventory fails fast naming the holder; release frees it', async () => {
    const dir = stateDir();
    const release = await acquireApplyLock(dir);
    expect(statSync(join(dir, 'apply.lock')).mode & 0o777).toBe(0o600);
    await expect(acquireApplyLock(dir)).rejects.toMatchObject({ code: 'E_APPLY_LOCKED', message: expect.stringContaining(`pid ${process.pid} on ${hostname()}`) });
    await release();
    const again = await acquireApplyLock(dir);
    await again();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = stateDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await (await acquireApplyLock(dir))();
    writeFileSync(join(dir, 'apply.lock'), JSON.stringify({ pid: gone, host: hostname(), started: 'earlier' }));
    const release = await acquireApplyLock(dir);
    expect(JSON.parse(readFileSync(join(dir, 'apply.lock'), 'utf8')).pid).toBe(process.pid);
    await release();
  });

  it('treats a half-written lock file as being taken, and takes it over once it is old', async () => {
    const dir = stateDir();
    await (await acquireApplyLock(dir))();
    writeFileSync(join(dir, 'apply.lock'), '{"pid": 12');
    await expect(acquireApplyLock(dir)).rejects.toMatchObject({ code: 'E_APPLY_LOCKED', message: expect.stringContaining('right now') });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'apply.lock'), old, old);
    await (await acquireApplyLock(dir))();
  });

  it('release leaves a lock that is no longer ours', async () => {
    const dir = stateDir();
    const release = await acquireApplyLock(dir);
    const other = JSON.stringify({ pid: process.pid + 1, host: hostname(), started: 'now' });
    writeFileSync(join(dir, 'apply.lock'), other);
    await release();
    expect(readFileSync(join(dir, 'apply.lock'), 'utf8')).toBe(other);
  });

  it('never takes over a lock held from another host', async () => {
    const dir = stateDir();
    await (await acquireApplyLock(dir))();
    writeFileSync(join(dir, 'apply.lock'), JSON.stringify({ pid: 1, host: 'other-laptop', started: 'earlier' }));
    await expect(acquireApplyLock(dir)).rejects.toMatchObject({ code: 'E_APPLY_LOCKED', hint: expect.stringContaining('remove') });
  });
});
