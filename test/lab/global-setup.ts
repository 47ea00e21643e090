import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isLanmcpError } from '../../src/shared/errors.js';
import { upLab, type LabInfo } from '../../src/lab/lab.js';
import { nspawnTmpfsLeftBehind } from '../../src/lab/host-setup.js';
import { isRunning } from '../../src/lab/processes.js';
import { labPaths } from '../../src/lab/state.js';
import { downLab } from '../../src/lab/teardown.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The lab the `lab` project's tests run against; read it with `getLab()` from lab-helpers.ts. */
    lanmcpLab: LabInfo;
  }
}

/**
 * vitest globalSetup of the `lab` project: brings up one lab for the whole run and takes it down at the end.
 *
 * - `LANMCP_TEST_LAB` names the lab (default `vitest`; 1–8 chars). Each name has its own bridge, subnet and
 *   devices, so developers running lab suites at the same time on one machine each pick their own name;
 *   a run refuses a lab another live run is using (it would reset that run's devices under it).
 * - `LANMCP_LAB_DEVICES` raises the device count (default 4; never shrinks a running lab).
 * - `LANMCP_TEST_LAB_KEEP=1` reuses a running lab and leaves it up afterwards (fast iterations);
 *   stop it with `lanmcp lab down --name <name>`.
 * - `LANMCP_LAB_CACHE` moves the device rootfs cache (default /var/cache/lanmcp), e.g. to a CI cache.
 *
 * Missing requirements (not root, no Debian host, ...) THROW: real-device tests are never skipped silently.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = process.env.LANMCP_TEST_LAB || 'vitest';
  const keep = process.env.LANMCP_TEST_LAB_KEEP === '1';
  const devices = Number(process.env.LANMCP_LAB_DEVICES || 4);
  const log = (line: string): void => {
    process.stderr.write(`[lab ${name}] ${line}\n`);
  };
  const others = await otherRuns(name);
  if (others.length > 0 && !keep) {
    throw new Error(`lab "${name}" is in use by another test run (pid ${others.join(', ')}); `
      + 'give this run its own lab with LANMCP_TEST_LAB=<name> (1–8 lowercase letters/digits), or share it with LANMCP_TEST_LAB_KEEP=1');
  }
  const started = Date.now();
  let info: LabInfo;
  try {
    info = await upLab({ name, devices, log });
  } catch (error) {
    throw new Error(describeFailure(name, error), { cause: error });
  }
  log(`${info.devices.length} devices answer SSH (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await registerRun(name);
  project.provide('lanmcpLab', info);
  return async () => {
    await rm(join(runsDir(name), String(process.pid)), { force: true });
    if (keep) return log(`kept running (LANMCP_TEST_LAB_KEEP=1); stop it with \`lanmcp lab down --name ${name}\``);
    const still = await otherRuns(name);
    if (still.length > 0) return log(`left running: another test run (pid ${still.join(', ')}) still uses it`);
    await downLab(name);
    // The last lab down takes the host's nspawn tmpfs with it (releaseHost); a run leaves no mount behind.
    if (await nspawnTmpfsLeftBehind()) {
      throw new Error('the lab tests left the tmpfs lanmcp mounted on /run/systemd/nspawn behind, with no lab running');
    }
  };
}

function runsDir(name: string): string {
  return join(labPaths(name).dir, 'test-runs');
}

async function registerRun(name: string): Promise<void> {
  await mkdir(runsDir(name), { recursive: true });
  await writeFile(join(runsDir(name), String(process.pid)), '');
}

// PIDs of other live vitest processes that registered as users of this lab.
async function otherRuns(name: string): Promise<number[]> {
  if (!existsSync(runsDir(name))) return [];
  const pids = (await readdir(runsDir(name))).map(Number).filter((pid) => pid > 0 && pid !== process.pid);
  const live = await Promise.all(pids.map(async (pid) => ((await isRunning(pid)) ? [pid] : [])));
  return live.flat();
}

function describeFailure(name: string, error: unknown): string {
  const intro = `the lab tests need a running lab "${name}" and could not bring it up`;
  if (!isLanmcpError(error)) return `${intro}: ${error instanceof Error ? error.message : String(error)}`;
  return `${intro}:\n${error.code}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
}
