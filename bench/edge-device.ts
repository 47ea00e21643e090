import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerInitPid } from '../src/lab/boot.js';
import { devicePaths } from '../src/lab/device.js';
import { freshDevice, upLab, type LabInfo } from '../src/lab/lab.js';
import { runCommand } from '../src/lab/run.js';
import { buildEdgeBundle } from '../test/integration/edge/bundle-helpers.js';
import { installEdge, type DeviceAccess, type InstalledEdge } from '../test/integration/edge/device-install.js';

/**
 * Shared by the edge benchmarks: a lab (LANMCP_BENCH_LAB, default `edgedev`; left running, stop it with
 * `lanmcp lab down --name edgedev`), a freshly reset device, and the edge installed on it under systemd.
 */
export async function benchEdge(device = 'lab1', policy: Record<string, unknown> = {}): Promise<{ lab: LabInfo; access: DeviceAccess; edge: InstalledEdge }> {
  const name = process.env.LANMCP_BENCH_LAB || 'edgedev';
  const lab = await upLab({ name, devices: 2, log: (line) => process.stderr.write(`[lab ${name}] ${line}\n`) });
  await freshDevice(name, device);
  const access = deviceAccess(lab, device);
  const { bundle, dir } = await buildEdgeBundle();
  const workDir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  const address = lab.devices.find((d) => d.name === device)!.address;
  try {
    const edge = await installEdge(access, { device, address, bundle, workDir, policy });
    return { lab, access, edge };
  } finally {
    for (const path of [dir, workDir]) rmSync(path, { recursive: true, force: true });
  }
}

/** Runs commands inside a lab device through nsenter (as test/lab/lab-helpers.ts does, without vitest). */
export function deviceAccess(lab: LabInfo, device: string): DeviceAccess {
  const init = async () => {
    const pid = await containerInitPid(devicePaths(lab.state_dir, device));
    if (pid === undefined) throw new Error(`device ${device} is not running`);
    return pid;
  };
  return {
    async exec(command) {
      const argv = ['nsenter', `--target=${await init()}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup', '--', '/bin/sh', '-c', command];
      return runCommand(argv, { allowFailure: true, timeoutMs: 120_000 });
    },
    async copy(localPath, remotePath) {
      const [content, info] = await Promise.all([readFile(localPath), stat(localPath)]);
      const script = 'mkdir -p "$(dirname "$1")" && cat > "$1.tmp" && chmod "$2" "$1.tmp" && mv -f "$1.tmp" "$1"';
      const argv = ['nsenter', `--target=${await init()}`, '--mount', '--', '/bin/sh', '-c', script, 'copy', remotePath, (info.mode & 0o7777).toString(8)];
      await runCommand(argv, { input: content });
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
