import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_TOKEN } from '../../unit/edge/test-config.js';
import { buildEdgeBundle, startBundle, type RunningBundle } from '../edge/bundle-helpers.js';
import { fuzzEdge } from './fuzz-run.js';
import { processMemory } from './http-send.js';
import { createRandom, fuzzSettings } from './random.js';

// The built edge bundle as its own process (as on a device), fuzzed over loopback, its memory read from
// /proc/PID/status. Read-only policy with only reading tools: fuzzed calls may read this machine's files
// (capped) but never run or write anything.
const { seed, scale } = fuzzSettings();
const COUNT = Math.round(2000 * scale);
const MAX_BYTES = 65_536;
/** `[[…]]` inside tool arguments goes this deep (past JSON.stringify's ~4000). */
const ARGUMENT_DEPTH = 20_000;

let bundleDir: string;
let edge: RunningBundle;
beforeAll(async () => {
  const { dir, bundle } = await buildEdgeBundle();
  bundleDir = dir;
  edge = await startBundle(bundle, dir, {
    policy: { read_only: true, tools: ['read_file', 'list_dir', 'system_info'], max_output_bytes: 65_536 }, max_request_bytes: MAX_BYTES,
  });
}, 60_000);
afterAll(async () => {
  edge?.child.kill('SIGTERM');
  await edge?.exited;
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

it(`the edge bundle process answers ${COUNT} hostile requests (seed ${seed}) without a crash, a restart or growing memory`, async () => {
  const pid = edge.child.pid!;
  const samples: number[] = [];
  const run = await fuzzEdge(createRandom(seed).fork('bundle'), { port: edge.port, token: TEST_TOKEN, maxBytes: MAX_BYTES, argumentDepth: ARGUMENT_DEPTH, resetOnEarlyReject: true }, COUNT,
    async () => { samples.push((await processMemory(pid)).rssKb); });
  const after = await processMemory(pid);
  expect(run.failures, `seed ${seed}`).toEqual([]);
  expect(edge.child.exitCode).toBeNull();
  expect(edge.stderr()).toBe('');
  // After the first samples (heap warmed up by 20 000-deep JSON and 64 KiB bodies), RSS stays flat: a leak
  // of even 1 KiB per request would add ~2 MB per 2000.
  const warm = samples[1] ?? samples[0]!;
  expect(after.rssKb - warm, `RSS samples ${samples.join(', ')} kB, now ${after.rssKb} kB, peak ${after.hwmKb} kB`).toBeLessThan(24_000);
  expect(after.hwmKb).toBeLessThan(200_000);
  process.stderr.write(`[fuzz bundle] ${run.sent} requests, early-reject-as-reset ${run.resets}, statuses ${JSON.stringify(run.statuses)}, RSS ${samples.join(' → ')} → ${after.rssKb} kB, peak ${after.hwmKb} kB\n`);
}, 180_000);
