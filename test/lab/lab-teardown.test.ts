import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { upLab } from '../../src/lab/lab.js';
import { runCommand } from '../../src/lab/run.js';
import { loadLabStatus } from '../../src/lab/status.js';
import { downLab } from '../../src/lab/teardown.js';

// A separately named small lab, so the suite's main lab is never touched. Everything is checked with
// the host's own tools rather than with the code under test.
const LAB = 'tdown';

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

describe('lanmcp lab down', () => {
  it('leaves no namespace, link, mount, process or cgroup of the lab behind', async () => {
    await upLab({ name: LAB, devices: 1 });
    const firstPid = (await loadLabStatus(LAB)).devices[0]?.pid;
    const info = await upLab({ name: LAB, devices: 2 }); // grows the running lab, leaves lab1 alone
    expect(info.devices.map((d) => d.name)).toEqual(['lab1', 'lab2']);
    expect(info.devices[0]?.address).not.toMatch(/^10\.77\.0\./); // never the default lab's subnet
    const status = await loadLabStatus(LAB);
    expect(status.devices[0]?.pid).toBe(firstPid);
    const pids = status.devices.map((d) => d.pid);
    expect(status.devices.every((d) => d.running)).toBe(true);
    const mentioning = processesMentioning(`--machine=lanmcp-${LAB}-`);
    expect(mentioning.filter((p) => / systemd-nspawn --boot /.test(p.replace(/^\d+:/, '')))).toHaveLength(2);
    expect(mentioning.filter((p) => p.includes('lanmcp-lab-supervisor'))).toHaveLength(2);

    const started = Date.now();
    await downLab(LAB);
    const downMs = Date.now() - started;

    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toContain(`lanmcp-${LAB}-`);
    expect((await runCommand(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(new RegExp(`lmbr-${LAB}|lm-${LAB}-`));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`/var/lib/lanmcp-lab/${LAB}`);
    expect(processesMentioning(`--machine=lanmcp-${LAB}-`)).toEqual([]);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    for (const hierarchy of ['systemd', 'unified', '']) {
      expect(existsSync(`/sys/fs/cgroup/${hierarchy}/lanmcp-lab/${LAB}`.replace('//', '/'))).toBe(false);
    }
    expect(existsSync(`/var/lib/lanmcp-lab/${LAB}`)).toBe(false);
    const claims = existsSync('/var/lib/lanmcp-lab/.subnets') ? readdirSync('/var/lib/lanmcp-lab/.subnets') : [];
    expect(claims.filter((c) => readFileSync(`/var/lib/lanmcp-lab/.subnets/${c}`, 'utf8').trim() === LAB)).toEqual([]);
    expect(existsSync(`/run/systemd/nspawn/propagate/lanmcp-${LAB}-lab1`)).toBe(false);
    expect(downMs).toBeLessThan(15_000);
  });

  it('is a no-op for a lab that is not there', async () => {
    expect(await downLab(LAB)).toEqual({ name: LAB, devices: [], existed: false });
  });
});
