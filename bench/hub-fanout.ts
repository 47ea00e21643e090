// Fan-out (bench/hub.ts series 2): `run_on_many uptime` through `lanmcp hub` vs `ansible all -m command -a
// uptime` (forks = devices, bench/ansible/ansible.cfg), cold and warm, interleaved round by round; plus the
// same fan-out done straight from this machine with the hub's upstream client (one per edge), to show what the hub adds.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { LabInfo } from '../src/lab/lab.js';
import {
  busySince, connect, cpuTicks, disconnect, expectAllRows, expectExitZero, load, log, openDirect, r2, root, startHubProcess, stats, stopHubProcess, timed,
  type DirectEdge, type EdgeEndpoint, type Stats,
} from './hub-process.js';

async function writeAnsibleHosts(lab: LabInfo, devices: number, dir: string): Promise<string> {
  const hosts = Object.fromEntries(lab.devices.slice(0, devices).map((d) => [d.name, { ansible_host: d.address }]));
  const vars = {
    ansible_user: 'root', ansible_ssh_private_key_file: lab.ssh_key,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.known_hosts} -o StrictHostKeyChecking=yes`,
  };
  const file = join(dir, `ansible-hosts-${devices}.yml`);
  await writeFile(file, `${JSON.stringify({ all: { hosts, vars } }, null, 2)}\n`);
  return file;
}

/** One `ansible all -m command -a uptime` (forks = devices); every host must report rc=0. */
function ansibleUptime(hosts: string, devices: number, controlDir: string): number {
  const env = { ...process.env, ANSIBLE_CONFIG: join(root, 'bench', 'ansible', 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir, ANSIBLE_NOCOLOR: '1' };
  const started = performance.now();
  const result = spawnSync('ansible', ['all', '-i', hosts, '-f', String(devices), '-o', '-m', 'command', '-a', 'uptime'], { env, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' });
  const ms = performance.now() - started;
  const ok = (result.stdout ?? '').split('\n').filter((l) => /\| CHANGED \| rc=0 \|/.test(l)).length;
  if (result.status !== 0 || ok !== devices) throw new Error(`ansible all (${devices} hosts) exited ${result.status} with ${ok} ok:\n${(result.stdout ?? '').slice(-3000)}${(result.stderr ?? '').slice(-2000)}`);
  return ms;
}

/** `uptime` on every edge at once, straight from here (no hub): one SDK client per edge. */
async function directFanout(clients: DirectEdge[]): Promise<number> {
  const { ms, value } = await timed(() => Promise.all(clients.map((c) => c.runCommand(['uptime']))));
  value.forEach((result, i) => expectExitZero(result, `direct uptime on edge #${i + 1}`));
  return ms;
}

/**
 * Each round: Ansible cold (new ControlPersist sockets); the hub cold (a new `lanmcp hub` process just
 * started: edges health-checked and one MCP session opened to each at start; the client is connected before the clock
 * starts); the same cold work straight from here (open an MCP session to every edge, then uptime); Ansible
 * warm (its masters from the cold run); then WARM_PER_RUN times: the hub warm with the default max_parallel
 * (16) and with max_parallel = devices, and the direct fan-out on the open sessions.
 */
export async function benchFanout(lab: LabInfo, inventory: string, edges: EdgeEndpoint[], token: string, work: string, rounds: number, warmPerRound: number) {
  const devices = edges.length;
  const loadBefore = load();
  const host = cpuTicks();
  const hosts = await writeAnsibleHosts(lab, devices, work);
  const t = { hubCold: [] as number[], hubWarm: [] as number[], hubWarmAll: [] as number[], directCold: [] as number[], directWarm: [] as number[], ansibleCold: [] as number[], ansibleWarm: [] as number[], hubStart: [] as number[] };
  const fanout = async (client: Client, extra: Record<string, unknown> = {}) => {
    const { ms, value } = await timed(() => client.callTool({ name: 'run_on_many', arguments: { target: 'all', argv: ['uptime'], ...extra } }));
    expectAllRows(value, devices);
    return ms;
  };
  for (let rep = 1; rep <= rounds; rep++) {
    const controlDir = join(work, `ansible-cp-${devices}-${rep}`);
    t.ansibleCold.push(ansibleUptime(hosts, devices, controlDir));
    const started = performance.now();
    const hub = await startHubProcess(inventory, devices);
    t.hubStart.push(performance.now() - started);
    try {
      const client = await connect(hub.url, token);
      t.hubCold.push(await fanout(client));
      const opened = await timed(() => Promise.all(edges.map(openDirect)));
      t.directCold.push(opened.ms + (await directFanout(opened.value)));
      t.ansibleWarm.push(ansibleUptime(hosts, devices, controlDir));
      for (let i = 0; i < warmPerRound; i++) {
        t.hubWarm.push(await fanout(client));
        t.hubWarmAll.push(await fanout(client, { max_parallel: devices }));
        t.directWarm.push(await directFanout(opened.value));
      }
      await Promise.all(opened.value.map((d) => d.close()));
      await disconnect(client);
    } finally {
      await stopHubProcess(hub);
    }
    log(`fan-out ${devices} #${rep}: ansible cold ${Math.round(t.ansibleCold.at(-1)!)} ms, hub cold ${Math.round(t.hubCold.at(-1)!)} ms, direct cold ${Math.round(t.directCold.at(-1)!)} ms, ansible warm ${Math.round(t.ansibleWarm.at(-1)!)} ms, hub warm ${Math.round(t.hubWarm.at(-1)!)} ms, direct warm ${Math.round(t.directWarm.at(-1)!)} ms`);
  }
  const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)])) as Record<keyof typeof t, Stats>;
  return {
    devices, rounds, warm_calls_per_round: warmPerRound,
    hub_cold: s.hubCold, hub_warm: s.hubWarm, hub_warm_max_parallel_all: s.hubWarmAll,
    direct_cold_open_sessions_then_uptime: s.directCold, direct_warm: s.directWarm,
    ansible_cold: s.ansibleCold, ansible_warm: s.ansibleWarm,
    hub_process_start_until_all_upstreams_up: s.hubStart,
    ratio_ansible_over_hub: { cold: r2(s.ansibleCold.p50_ms / s.hubCold.p50_ms), warm: r2(s.ansibleWarm.p50_ms / s.hubWarm.p50_ms) },
    // Both fully parallel (the direct fan-out starts every edge at once, as max_parallel = devices does).
    hub_over_direct_p50_ms: { cold: r2(s.hubCold.p50_ms - s.directCold.p50_ms), warm: r2(s.hubWarmAll.p50_ms - s.directWarm.p50_ms) },
    host_cpu_busy: busySince(host), load_before: loadBefore, load_after: load(),
  };
}

export type Fanout = Awaited<ReturnType<typeof benchFanout>>;
