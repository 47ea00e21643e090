import type { TestProject } from 'vitest/node';
import { isLanmcpError } from '../../src/shared/errors.js';
import { upLab } from '../../src/lab/lab.js';
import { downLab } from '../../src/lab/teardown.js';
import type { LabInfo } from '../../src/lab/lab.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The lab the `lab` project's tests run against; read it with `getLab()` from lab-helpers.ts. */
    lanmcpLab: LabInfo;
  }
}

/**
 * vitest globalSetup of the `lab` project: brings up one lab for the whole run and takes it down at the end.
 *
 * - `LANMCP_TEST_LAB` names the lab (default `vitest`, its own bridge and subnet), so developers running lab
 *   suites at the same time on one machine do not share devices if they pick different names.
 * - `LANMCP_LAB_DEVICES` raises the device count (default 4; never lowers a running lab).
 * - `LANMCP_TEST_LAB_KEEP=1` reuses a running lab and leaves it up afterwards (fast iterations).
 *
 * Missing requirements (not root, no Debian host, ...) THROW: real-device tests are never skipped silently.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = process.env.LANMCP_TEST_LAB || 'vitest';
  const keep = process.env.LANMCP_TEST_LAB_KEEP === '1';
  const devices = Number(process.env.LANMCP_LAB_DEVICES || 4);
  const started = Date.now();
  let info: LabInfo;
  try {
    info = await upLab({ name, devices, log: (line) => process.stderr.write(`[lab ${name}] ${line}\n`) });
  } catch (error) {
    throw new Error(describeFailure(name, error), { cause: error });
  }
  process.stderr.write(`[lab ${name}] ${info.devices.length} devices up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide('lanmcpLab', info);
  return async () => {
    if (keep) {
      process.stderr.write(`[lab ${name}] kept running (LANMCP_TEST_LAB_KEEP=1); stop it with \`lanmcp lab down --name ${name}\`\n`);
      return;
    }
    await downLab(name);
  };
}

function describeFailure(name: string, error: unknown): string {
  const intro = `the lab tests need a running lab "${name}" and could not bring it up`;
  if (!isLanmcpError(error)) return `${intro}: ${error instanceof Error ? error.message : String(error)}`;
  return `${intro}:\n${error.code}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
}
