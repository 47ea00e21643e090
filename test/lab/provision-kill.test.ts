import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPackageRoot } from '../../src/shared/package-root.js';
import { deviceExec, freshDevice } from './lab-helpers.js';
import { lanmcp, writeLabInventory } from './provision-helpers.js';

const MANAGED = ['/opt/lanmcp-edge/edge.mjs', '/etc/lanmcp-edge/config.json', '/etc/systemd/system/lanmcp-edge.service'];
const CORRUPT_BUNDLE = 'console.log("not the edge")\n';

async function managedHashes(): Promise<Record<string, string>> {
  const out = (await deviceExec('lab3', `for f in ${MANAGED.join(' ')}; do [ -f "$f" ] && sha256sum "$f"; done; true`)).stdout;
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/).reverse() as [string, string]));
}

/** Starts the real CLI (dist/) and SIGKILLs it after `delayMs`, wherever it is. */
function applyKilledAfter(inventory: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${findPackageRoot()}/bin/lanmcp.mjs`, 'apply', '-i', inventory, '--yes', '--no-hub'], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('apply killed with SIGKILL at random points', () => {
  let inventory: string;
  const variants: string[] = [];
  const goodHashes = new Map<string, Set<string>>(MANAGED.map((f) => [f, new Set<string>()]));

  beforeAll(async () => {
    await freshDevice('lab3');
    inventory = writeLabInventory([{ name: 'lab3' }]);
    const base = readFileSync(inventory, 'utf8');
    // Two inventories that differ in the edge's config, so every run has files to rewrite.
    variants.push(base.replace('hosts:', 'hosts:').replace(/(lab3: \{ address: [^ ]+)/, '$1, edge: { policy: { timeout_s: 61 } }'), base);
    for (const text of variants) {
      writeFileSync(inventory, text);
      expect((await lanmcp('apply', '-i', inventory, '--yes', '--no-hub')).code).toBe(0);
      for (const [file, hash] of Object.entries(await managedHashes())) goodHashes.get(file)!.add(hash);
    }
    const { createHash } = await import('node:crypto');
    goodHashes.get(MANAGED[0]!)!.add(createHash('sha256').update(CORRUPT_BUNDLE).digest('hex'));
  });

  it('never leaves a half-written managed file, and the next apply converges', async () => {
    let seed = 7;
    const nextDelay = () => 80 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1600);
    for (let run = 0; run < 6; run++) {
      writeFileSync(inventory, variants[run % 2]!);
      await deviceExec('lab3', `printf '%s' '${CORRUPT_BUNDLE.trimEnd()}\n' > /opt/lanmcp-edge/edge.mjs.new && mv /opt/lanmcp-edge/edge.mjs.new /opt/lanmcp-edge/edge.mjs`);
      await applyKilledAfter(inventory, nextDelay());
      for (const [file, hash] of Object.entries(await managedHashes())) {
        expect(goodHashes.get(file)!.has(hash), `${file} after kill #${run + 1} has unknown content ${hash}`).toBe(true);
      }
    }
    const converge = await lanmcp('apply', '-i', inventory, '--yes', '--no-hub');
    expect(converge.code, converge.stderr).toBe(0);
    expect((await lanmcp('diff', '-i', inventory)).code).toBe(0);
    const leftovers = await deviceExec('lab3', 'ls -a /opt/lanmcp-edge /etc/lanmcp-edge /var/lib/lanmcp-edge /etc/systemd/system | grep -E "lanmcp-prev|^\\.lanmcp\\." ; true');
    expect(leftovers.stdout).toBe('');
    expect((await deviceExec('lab3', 'systemctl is-active lanmcp-edge')).stdout.trim()).toBe('active');
  });
});
