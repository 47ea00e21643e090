/**
 * Helpers for real-device tests (the `lab` vitest project). The devices are booted once per run by
 * global-setup.ts; these functions find them, reset them and look inside them. Stable API: other suites
 * (edge server, apply, hub) build on it.
 */
import { readFile, stat } from 'node:fs/promises';
import { inject } from 'vitest';
import { containerInitPid, runningSupervisor } from '../../src/lab/boot.js';
import { freshDevice as resetLabDevice, type LabInfo } from '../../src/lab/lab.js';
import type { LabDevice } from '../../src/lab/lab-files.js';
import { devicePaths } from '../../src/lab/device.js';
import { sleep } from '../../src/lab/processes.js';
import { waitForSsh } from '../../src/lab/ready.js';
import { runCommand, type CommandResult } from '../../src/lab/run.js';

export type { LabInfo, LabDevice, CommandResult };

/**
 * The running lab: `inventory` (a ready inventory.yaml for all devices), `devices` (`name`, `address`,
 * `ssh_user`), `known_hosts` (every device's host key), `ssh_key` (private key accepted by root, deploy
 * and pwsudo on every device), `name` and `state_dir`. Users on each device: `root` and `deploy`
 * (passwordless sudo) log in with the key; `pwsudo` logs in with the key but its sudo needs a password.
 */
export function getLab(): LabInfo {
  const lab = inject('lanmcpLab');
  if (!lab) throw new Error('no lab: getLab() works only in the vitest `lab` project (test/lab/global-setup.ts provides it)');
  return lab;
}

/** One device of the lab by name (`lab1` ...); throws naming the devices there are. */
export function labDevice(name: string): LabDevice {
  const lab = getLab();
  const device = lab.devices.find((d) => d.name === name);
  if (!device) throw new Error(`the lab has no device "${name}"; it has ${lab.devices.map((d) => d.name).join(', ')}`);
  return device;
}

/**
 * Resets a device to the golden image (overlay upper wiped, same host key, so known_hosts stays valid)
 * and boots it again; resolves once its sshd answers (about half a second).
 */
export async function freshDevice(name: string): Promise<void> {
  labDevice(name);
  await resetLabDevice(getLab().name, name);
}

export interface DeviceExecOptions {
  /** Run as this user (login environment via `runuser -l`); default root. */
  user?: string;
  /** Fed to the command's stdin. */
  input?: string;
  /** Kill the command after this long (default 60 s). */
  timeoutMs?: number;
}

/**
 * Runs a shell command inside the device (nsenter into its namespaces: no SSH, a few milliseconds) for
 * assertions. Never throws for a non-zero exit: check `code`.
 */
export async function deviceExec(name: string, command: string, options: DeviceExecOptions = {}): Promise<CommandResult> {
  const init = await requireInitPid(name);
  const inner = options.user && options.user !== 'root'
    ? ['/usr/sbin/runuser', '-l', options.user, '-c', command]
    : ['/bin/sh', '-c', command];
  const argv = ['nsenter', `--target=${init}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup', '--',
    '/usr/bin/env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8', ...inner];
  return runCommand(argv, { allowFailure: true, input: options.input, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Copies a local file to `remotePath` on the device (parents created, mode kept, owned by root). */
export async function copyToDevice(name: string, localPath: string, remotePath: string): Promise<void> {
  const [content, info] = await Promise.all([readFile(localPath), stat(localPath)]);
  const mode = (info.mode & 0o7777).toString(8);
  const script = 'mkdir -p "$(dirname "$1")" && cat > "$1.lanmcp-tmp" && chmod "$2" "$1.lanmcp-tmp" && mv -f "$1.lanmcp-tmp" "$1"';
  const init = await requireInitPid(name);
  await runCommand(['nsenter', `--target=${init}`, '--mount', '--', '/bin/sh', '-c', script, 'copy', remotePath, mode], { input: content });
}

/**
 * Arguments for the real `ssh` client (everything after `ssh`) to reach `user@device` with the lab key
 * and known_hosts, `StrictHostKeyChecking=yes`, batch mode, no user or system ssh config. Append the
 * remote command: `spawn('ssh', [...sshArgs('lab1', 'deploy'), 'sudo -n true'])`.
 */
export function sshArgs(name: string, user = 'root'): string[] {
  const lab = getLab();
  return [
    '-F', '/dev/null', '-i', lab.ssh_key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${lab.known_hosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${labDevice(name).address}`,
  ];
}

/** Host PID of the device's systemd (its PID 1), or undefined while it is not running. */
export async function deviceInitPid(name: string): Promise<number | undefined> {
  labDevice(name);
  return containerInitPid(devicePaths(getLab().state_dir, name));
}

/**
 * Runs `systemctl reboot` on the device and waits until the new boot answers SSH; resolves with the
 * milliseconds from the reboot command to the answer.
 */
export async function rebootDevice(name: string, timeoutMs = 60_000): Promise<number> {
  const before = await requireInitPid(name);
  const started = Date.now();
  await deviceExec(name, 'systemctl reboot');
  const deadline = started + timeoutMs;
  while (Date.now() < deadline) {
    const now = await deviceInitPid(name);
    if (now !== undefined && now !== before) break;
    await sleep(20);
  }
  await waitForDevice(name, Math.max(1, deadline - Date.now()));
  return Date.now() - started;
}

/** Waits until the device's sshd answers (after a reboot, say). */
export async function waitForDevice(name: string, timeoutMs = 60_000): Promise<void> {
  const paths = devicePaths(getLab().state_dir, name);
  if ((await runningSupervisor(paths)) === undefined) throw new Error(`device ${name} is not running (its supervisor is gone; see ${paths.console})`);
  await waitForSsh(name, labDevice(name).address, paths, timeoutMs);
}

async function requireInitPid(name: string): Promise<number> {
  const pid = await deviceInitPid(name);
  if (pid === undefined) throw new Error(`device ${name} is not running; freshDevice('${name}') boots it again`);
  return pid;
}
