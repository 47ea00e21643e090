// Times `lanmcp lab up 20` and `lanmcp lab down` of a separately named lab ("labup"), once the device
// rootfs exists, and writes bench/results/lab-up.json. Run as root: `npx vite-node bench/lab-up.ts`.
// Goal (issue 3): up 20 ≤ 10 s. The CLI is spawned as a user would run it (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { LAB_RECIPE } from '../src/lab/recipe.js';
import { ensureRootfs } from '../src/lab/rootfs.js';

// Not "bench": other benchmarks run their own labs under that name.
const LAB = 'labup';
const DEVICES = Number(process.env.BENCH_LAB_DEVICES || 20);
const RUNS = Number(process.env.BENCH_RUNS || 3);
const root = new URL('..', import.meta.url).pathname;

function lanmcp(args: string[]): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['bin/lanmcp.mjs', ...args], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`lanmcp ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { ms: Math.round(ms), stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}${build.stdout}`);
await ensureRootfs(LAB_RECIPE, process.env, (line) => process.stderr.write(`${line}\n`));
lanmcp(['lab', 'down', '--name', LAB]);

const runs: Array<{ up_ms: number; up_again_ms: number; down_ms: number }> = [];
for (let run = 1; run <= RUNS; run += 1) {
  const up = lanmcp(['lab', 'up', String(DEVICES), '--name', LAB, '--json']);
  const devices = (JSON.parse(up.stdout) as { devices: unknown[] }).devices.length;
  if (devices !== DEVICES) throw new Error(`lab up reported ${devices} devices, wanted ${DEVICES}`);
  const again = lanmcp(['lab', 'up', String(DEVICES), '--name', LAB, '--json']);
  const down = lanmcp(['lab', 'down', '--name', LAB]);
  runs.push({ up_ms: up.ms, up_again_ms: again.ms, down_ms: down.ms });
  process.stderr.write(`run ${run}: up ${DEVICES} ${up.ms} ms, up again (no-op) ${again.ms} ms, down ${down.ms} ms\n`);
}

const osRelease = readFileSync('/etc/os-release', 'utf8');
const result = {
  benchmark: 'lab-up',
  date: new Date().toISOString(),
  devices: DEVICES,
  goal: `lanmcp lab up ${DEVICES} <= 10000 ms once the rootfs exists`,
  up_ms_median: median(runs.map((r) => r.up_ms)),
  up_again_ms_median: median(runs.map((r) => r.up_again_ms)),
  down_ms_median: median(runs.map((r) => r.down_ms)),
  runs,
  machine: {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    os: /PRETTY_NAME="?([^"\n]*)/.exec(osRelease)?.[1] ?? 'unknown',
    node: process.version,
    systemd_nspawn: spawnSync('systemd-nspawn', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'unknown',
    load_avg_at_end: os.loadavg().map((l) => Number(l.toFixed(2))),
  },
};
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/lab-up.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
