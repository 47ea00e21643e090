import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { machineName, netnsName } from './addressing.js';
import { deviceCgroups, processesIn, removeCgroupTrees } from './cgroups.js';
import type { DevicePaths } from './device.js';
import { childrenOf, isRunning, signal, sleep, waitUntilGone } from './processes.js';

/**
 * Booting and stopping one device. A detached supervisor (its own session, so it outlives `lanmcp lab up`)
 * moves a subshell into the device's cgroups and execs `systemd-nspawn --boot` there; nspawn exits 133 when
 * the device runs `systemctl reboot`, and the supervisor boots it again: real reboots.
 */
const SUPERVISOR = `
trap '' HUP
while :; do
  (
    for cg in $LANMCP_CGROUPS; do
      mkdir -p "$cg" && echo "$BASHPID" > "$cg/cgroup.procs" || exit 97
    done
    exec systemd-nspawn "$@" </dev/null
  )
  rc=$?
  echo "lanmcp-lab: systemd-nspawn exited with code $rc" >&2
  if [ "$rc" -ne 133 ] || [ -e "$LANMCP_STOP" ]; then exit "$rc"; fi
done
`;

/** Everything `startDevice` needs to know about one device. */
export interface BootTarget {
  lab: string;
  device: string;
  paths: DevicePaths;
}

/** The nspawn argv (without the program) that boots the device; flags explained in notes/test-lan.md. */
export function nspawnArguments(target: BootTarget): string[] {
  return [
    '--boot', '--register=no', '--keep-unit', `--machine=${machineName(target.lab, target.device)}`,
    `--hostname=${target.device}`, `--directory=${target.paths.root}`,
    `--network-namespace-path=/run/netns/${netnsName(target.lab, target.device)}`,
    '--console=read-only', '--link-journal=no', '--resolv-conf=off', '--timezone=off',
  ];
}

/** Starts the device's supervisor, records its PID and returns it; the device boots in the background. */
export async function startDevice(target: BootTarget): Promise<number> {
  await rm(target.paths.stopFile, { force: true });
  const log = openSync(target.paths.console, 'a');
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANMCP_CGROUPS: deviceCgroups(target.lab, target.device).join(' '),
    LANMCP_STOP: target.paths.stopFile,
  };
  try {
    const child = spawn('bash', ['-c', SUPERVISOR, 'lanmcp-lab-supervisor', ...nspawnArguments(target)], {
      detached: true,
      stdio: ['ignore', log, log],
      env,
    });
    child.unref();
    if (child.pid === undefined) throw new Error('bash did not start');
    await writeFile(target.paths.supervisorPid, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** The recorded supervisor PID, if the device's supervisor still runs. */
export async function runningSupervisor(paths: DevicePaths): Promise<number | undefined> {
  const text = await readFile(paths.supervisorPid, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return pid > 0 && (await isRunning(pid)) ? pid : undefined;
}

/** Host PID of the device's systemd (PID 1 inside), found as supervisor → nspawn → its child. */
export async function containerInitPid(paths: DevicePaths): Promise<number | undefined> {
  const supervisor = await runningSupervisor(paths);
  if (supervisor === undefined) return undefined;
  for (const nspawn of await childrenOf(supervisor)) {
    const [init] = await childrenOf(nspawn);
    if (init !== undefined && (await isRunning(init))) return init;
  }
  return undefined;
}

/**
 * Stops a device and everything it started. With `graceMs` > 0 the device first powers off cleanly
 * (SIGTERM makes nspawn send its systemd SIGRTMIN+3); whatever still runs after that is killed, both by
 * recorded PID and by cgroup membership. Returns the PIDs that refused to die (none, normally).
 */
export async function stopDevice(target: BootTarget, graceMs: number): Promise<number[]> {
  if (existsSync(target.paths.dir)) await writeFile(target.paths.stopFile, '');
  const supervisor = await runningSupervisor(target.paths);
  const cgroups = deviceCgroups(target.lab, target.device);
  if (supervisor !== undefined && graceMs > 0) {
    for (const nspawn of await childrenOf(supervisor)) signal(nspawn, 'SIGTERM');
    await waitUntilGone([supervisor], graceMs);
  }
  const leftovers = [...(supervisor === undefined ? [] : [supervisor]), ...(await processesIn(cgroups))];
  for (const pid of leftovers) signal(pid, 'SIGKILL');
  const stubborn = await waitUntilGone(leftovers, 10_000);
  await removeDeviceCgroups(cgroups);
  await rm(`/run/systemd/nspawn/propagate/${machineName(target.lab, target.device)}`, { recursive: true, force: true });
  return stubborn;
}

// A cgroup stays busy for a moment after its last process died; retry rmdir briefly.
async function removeDeviceCgroups(cgroups: string[]): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const stayed = await removeCgroupTrees(cgroups);
    if (stayed.length === 0 || !stayed.some((dir) => existsSync(dir))) return;
    await sleep(25);
  }
}
