import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { edgeMemory, type DeviceAccess } from '../integration/edge/device-install.js';
import { fuzzEdge } from '../integration/fuzz/fuzz-run.js';
import { createRandom, fuzzSettings } from '../integration/fuzz/random.js';
import { copyToDevice, deviceExec, freshDevice, labDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

// The fuzz run against an edge provisioned by `lanmcp apply` on a real lab device (Node 18 under systemd),
// over the lab bridge. Read-only policy without run_command or write_file: fuzzed calls may read the
// device's files but change nothing. Afterwards the edge must be the same process (no crash, no restart
// by systemd), its memory bounded and its journal free of crashes. The edge serves plain HTTP here
// (`tls: false`): the fuzzer writes raw HTTP/1.1 bytes, and TLS sits below the layer being fuzzed.
const { seed, scale } = fuzzSettings();
const COUNT = Math.round(2000 * scale);
/** The edge's default body limit (the inventory does not change it). */
const MAX_BYTES = 4 * 1_048_576;
/** `[[…]]` inside tool arguments goes this deep (past JSON.stringify's ~4000). */
const ARGUMENT_DEPTH = 20_000;
const CRASH = /FATAL|RangeError|Uncaught|heap out of memory|core dumped|Segmentation|lanmcp-edge: error|Main process exited|Failed with result/;

const lab1: DeviceAccess = { exec: (command) => deviceExec('lab1', command), copy: (local, remote) => copyToDevice('lab1', local, remote) };
let inventory: string;

async function unitState(): Promise<Record<string, string>> {
  const shown = await deviceExec('lab1', 'systemctl show -p NRestarts,MainPID,ActiveState,SubState lanmcp-edge');
  return Object.fromEntries(shown.stdout.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
}

beforeAll(async () => {
  await freshDevice('lab1');
  inventory = writeLabInventory([{ name: 'lab1' }], { defaultsEdge: '{ tls: false, policy: { read_only: true, tools: [read_file, list_dir, system_info, service, logs] } }' });
  const applied = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
  expect(applied.code, applied.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  if (inventory) rmSync(dirname(inventory), { recursive: true, force: true });
});

it(`an edge provisioned by lanmcp apply takes ${COUNT / 2} + ${COUNT} hostile requests (seed ${seed}) with no crash, no restart and bounded memory`, async () => {
  const token = readFileSync(join(dirname(inventory), '.lanmcp', 'tokens', 'lab1.token'), 'utf8').trim();
  const since = (await deviceExec('lab1', 'date "+%Y-%m-%d %H:%M:%S"')).stdout.trim();
  const before = await unitState();
  const memoryBefore = await edgeMemory(lab1);
  expect(before).toMatchObject({ ActiveState: 'active', SubState: 'running' });

  // A large body refused before it is read (413 above all) may meet a reset instead of its status: the
  // edge answers while the client still writes (docs/security-testing.md, finding 6); counted, not failed.
  const target = { port: 8766, token, maxBytes: MAX_BYTES, argumentDepth: ARGUMENT_DEPTH, address: labDevice('lab1').address, resetOnEarlyReject: true };
  // A first half warms the heap up (4 MiB bodies grow it once); the second must not grow it further.
  const warmUp = await fuzzEdge(createRandom(seed).fork('lab-warm-up'), target, Math.round(COUNT / 2));
  const memoryWarm = await edgeMemory(lab1);
  const run = await fuzzEdge(createRandom(seed).fork('lab'), target, COUNT);
  expect([...warmUp.failures, ...run.failures], `seed ${seed}`).toEqual([]);
  expect(run.sent).toBe(COUNT);

  expect(await unitState()).toEqual(before);
  // Garbage from 4 MiB bodies and multi-MB audit lines is collected a little later: RSS must come back
  // near its warm level within 30 s (a leak would not), and the peak must stay bounded.
  let memoryAfter = await edgeMemory(lab1);
  for (let i = 0; i < 30 && memoryAfter.rssKb - memoryWarm.rssKb >= 24_000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    memoryAfter = await edgeMemory(lab1);
  }
  expect(memoryAfter.pid).toBe(memoryBefore.pid);
  const peakKb = Number((await deviceExec('lab1', `grep VmHWM /proc/${memoryAfter.pid}/status`)).stdout.split(/\s+/)[1]);
  const memory = `RSS ${memoryBefore.rssKb} → ${memoryWarm.rssKb} (warm) → ${memoryAfter.rssKb} kB, peak ${peakKb} kB`;
  expect(memoryAfter.rssKb - memoryWarm.rssKb, memory).toBeLessThan(24_000);
  expect(peakKb, memory).toBeLessThan(300_000);
  const journal = await deviceExec('lab1', `journalctl -u lanmcp-edge --since "${since}" --no-pager -o cat`);
  expect(journal.stdout.split('\n').filter((line) => CRASH.test(line))).toEqual([]);
  // The calls that got through were audited on the device.
  expect(journal.stdout).toContain('"edge":"call"');
  expect(run.resets).toBeLessThan((run.statuses[413] ?? 0) + run.resets);
  process.stderr.write(`[fuzz lab] ${warmUp.sent}+${run.sent} requests, statuses ${JSON.stringify(run.statuses)}, early-reject-as-reset ${warmUp.resets + run.resets}, ${memory}, pid ${memoryAfter.pid}, NRestarts ${before.NRestarts}\n`);
}, 600_000);
