import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEdgeUnit } from '../../../src/plan/edge-unit.js';

/** How a test or a benchmark reaches inside a lab device (lab-helpers in vitest, nsenter in bench/). */
export interface DeviceAccess {
  exec(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  copy(localPath: string, remotePath: string): Promise<void>;
}

export interface InstalledEdge {
  device: string;
  address: string;
  port: number;
  token: string;
  url: string;
}

const root = new URL('../../../', import.meta.url).pathname;

/**
 * Installs the edge by hand, the way `lanmcp apply` will (DESIGN.md "On the device"): bundle, config (0600),
 * rendered unit, `systemctl enable --now`; resolves once /healthz answers from this machine.
 */
export async function installEdge(access: DeviceAccess, options: { device: string; address: string; bundle: string; workDir: string; policy?: Record<string, unknown>; port?: number }): Promise<InstalledEdge> {
  const port = options.port ?? 8766;
  const token = randomBytes(24).toString('base64url');
  const config = {
    name: options.device, listen: { host: '0.0.0.0', port }, token_sha256: createHash('sha256').update(token).digest('hex'),
    policy: options.policy ?? {}, allowed_hosts: [options.address],
  };
  const configPath = join(options.workDir, `${options.device}-config.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  const unitPath = join(options.workDir, `${options.device}-lanmcp-edge.service`);
  const template = readFileSync(join(root, 'templates/lanmcp-edge.service'), 'utf8');
  writeFileSync(unitPath, renderEdgeUnit(template, { device: options.device, version: 'lab', node_path: '/usr/bin/node', run_as: 'root', memory_max: '50%', tasks_max: 4096 }), { mode: 0o644 });
  await access.copy(options.bundle, '/opt/lanmcp-edge/edge.mjs');
  await access.copy(configPath, '/etc/lanmcp-edge/config.json');
  await access.copy(unitPath, '/etc/systemd/system/lanmcp-edge.service');
  const started = await access.exec('mkdir -p /var/lib/lanmcp-edge && systemctl daemon-reload && systemctl enable lanmcp-edge -q && systemctl restart lanmcp-edge');
  if (started.code !== 0) throw new Error(`could not start lanmcp-edge on ${options.device}: ${started.stderr}`);
  const url = `http://${options.address}:${port}/mcp`;
  await waitForHealth(`http://${options.address}:${port}/healthz`, access);
  return { device: options.device, address: options.address, port, token, url };
}

async function waitForHealth(url: string, access: DeviceAccess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const journal = await access.exec('journalctl -u lanmcp-edge --no-pager -n 20');
  throw new Error(`the edge did not answer ${url} within 10 s:\n${journal.stdout}`);
}

/** The edge's main PID and its memory: VmRSS and Pss_Anon from /proc, in kB. */
export async function edgeMemory(access: DeviceAccess): Promise<{ pid: number; rssKb: number; anonKb: number }> {
  const result = await access.exec('pid=$(systemctl show -p MainPID --value lanmcp-edge); echo $pid; grep -E "^(Rss|Pss_Anon):" /proc/$pid/smaps_rollup');
  const [pid, ...lines] = result.stdout.trim().split('\n');
  const field = (name: string) => Number(lines.find((l) => l.startsWith(`${name}:`))?.split(/\s+/)[1]);
  return { pid: Number(pid), rssKb: field('Rss'), anonKb: field('Pss_Anon') };
}
