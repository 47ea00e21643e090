import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { labCommand } from '../../src/cli/commands/lab.js';
import { runCommand } from '../../src/lab/run.js';
import { downLab } from '../../src/lab/teardown.js';
import { runLanmcp } from '../support/cli.js';

// `lanmcp lab up|status|down` (the command, run in-process as the CLI runs it) on a separately named
// small lab, so the suite's main lab is never touched. What is left is checked with the host's own
// tools rather than with the code under test.
const LAB = 'tdown';

const lanmcp = (...argv: string[]) => runLanmcp(argv, { env: process.env, commands: [labCommand] });

function processesMentioning(text: string): string[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      return cmdline.includes(text) && state !== 'Z' ? [`${pid}: ${cmdline}`] : [];
    } catch {
      return [];
    }
  });
}

afterAll(async () => {
  if (existsSync(`/var/lib/lanmcp-lab/${LAB}`)) await downLab(LAB);
});

describe('lanmcp lab up / status / down', () => {
  it('prints exactly the agreed JSON on `up --json` and grows a running lab without touching its devices', async () => {
    const first = await lanmcp('lab', 'up', '1', '--name', LAB, '--json');
    expect(first.code).toBe(0);
    const info = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['inventory', 'devices', 'known_hosts', 'ssh_key']);
    const before = JSON.parse((await lanmcp('lab', 'status', '--name', LAB, '--json')).stdout) as { devices: Array<{ pid: number }> };

    const grown = await lanmcp('lab', 'up', '2', '--name', LAB, '--json');
    const devices = (JSON.parse(grown.stdout) as { devices: Array<{ name: string; address: string; ssh_user: string }> }).devices;
    expect(devices.map((d) => [d.name, d.ssh_user])).toEqual([['lab1', 'root'], ['lab2', 'root']]);
    expect(devices[0]?.address).not.toMatch(/^10\.77\.0\./); // never the default lab's subnet
    const status = await lanmcp('lab', 'status', '--name', LAB, '--json');
    expect(status.code).toBe(0);
    const after = JSON.parse(status.stdout) as { devices: Array<{ pid: number; running: boolean }> };
    expect(after.devices.map((d) => d.running)).toEqual([true, true]);
    expect(after.devices[0]?.pid).toBe(before.devices[0]?.pid);
  });

  it('`down` leaves no namespace, link, mount, process or cgroup of the lab behind', async () => {
    const status = JSON.parse((await lanmcp('lab', 'status', '--name', LAB, '--json')).stdout) as { devices: Array<{ pid: number }> };
    const pids = status.devices.map((d) => d.pid);
    expect(pids).toHaveLength(2);
    const mentioning = processesMentioning(`--machine=lanmcp-${LAB}-`);
    expect(mentioning.filter((p) => / systemd-nspawn --boot /.test(p.replace(/^\d+:/, '')))).toHaveLength(2);
    expect(mentioning.filter((p) => p.includes('lanmcp-lab-supervisor'))).toHaveLength(2);

    const started = Date.now();
    const down = await lanmcp('lab', 'down', '--name', LAB);
    expect(down).toMatchObject({ code: 0, stdout: `lab "${LAB}" is down: 2 devices stopped, nothing left behind\n` });
    expect(Date.now() - started).toBeLessThan(15_000);

    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toContain(`lanmcp-${LAB}-`);
    expect((await runCommand(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(new RegExp(`lmbr-${LAB}|lm-${LAB}-`));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`/var/lib/lanmcp-lab/${LAB}`);
    expect(processesMentioning(`--machine=lanmcp-${LAB}-`)).toEqual([]);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    for (const dir of ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
      expect(existsSync(`${dir}/lanmcp-lab/${LAB}`)).toBe(false);
    }
    expect(existsSync(`/var/lib/lanmcp-lab/${LAB}`)).toBe(false);
    expect(existsSync(`/run/systemd/nspawn/propagate/lanmcp-${LAB}-lab1`)).toBe(false);
    // The suite's main lab still runs, so where /run is on disk the tmpfs nspawn needs stays for it.
    const findmnt = async (point: string) => (await runCommand(['findmnt', '-n', '-o', 'FSTYPE', '--mountpoint', point], { allowFailure: true })).stdout.trim();
    if ((await findmnt('/run')) !== 'tmpfs') expect(await findmnt('/run/systemd/nspawn')).toBe('tmpfs');
    const claims = existsSync('/var/lib/lanmcp-lab/.subnets') ? readdirSync('/var/lib/lanmcp-lab/.subnets') : [];
    expect(claims.filter((c) => readFileSync(`/var/lib/lanmcp-lab/.subnets/${c}`, 'utf8').trim() === LAB)).toEqual([]);
  });

  it('`down` of a lab that is not there removes nothing and succeeds; `status` says it is not running', async () => {
    expect(await lanmcp('lab', 'down', '--name', LAB)).toMatchObject({ code: 0, stdout: `lab "${LAB}" was not running; nothing to remove\n` });
    expect(await lanmcp('lab', 'status', '--name', LAB)).toMatchObject({ code: 1, stdout: `lab "${LAB}" is not running\n` });
  });

  it('rejects bad usage with E_USAGE', async () => {
    expect((await lanmcp('lab', 'up', 'many', '--name', LAB)).stderr).toMatch(/^error E_USAGE: lanmcp lab: invalid device count "many"/);
    expect((await lanmcp('lab', 'up', '1', '--name', 'Bad_Name')).stderr).toMatch(/^error E_USAGE: invalid lab name "Bad_Name"/);
    expect((await lanmcp('lab', 'reboot')).stderr).toMatch(/^error E_USAGE: lanmcp lab: unknown action "reboot"/);
  });
});
