// `lanmcp lab up|down|status`: a local lab of real Debian devices (systemd-nspawn) to try lanmcp on.
import type { Command, CommandArgs, CommandContext, CommandOutcome } from '../command.js';
import { jsonOption } from '../command.js';
import { LanmcpError } from '../../shared/errors.js';
import { DEFAULT_LAB, MAX_DEVICES, checkDeviceCount } from '../../lab/addressing.js';
import { upLab, type LabInfo } from '../../lab/lab.js';
import { requireRoot } from '../../lab/requirements.js';
import { loadLabStatus, renderLabStatus } from '../../lab/status.js';
import { downLab } from '../../lab/teardown.js';

export const labCommand: Command = {
  name: 'lab',
  summary: 'run a local lab of real Debian devices (systemd-nspawn) to try lanmcp on',
  help: [
    'usage: lanmcp lab up [N] [--name NAME] [--json]',
    '       lanmcp lab down [--name NAME] [--json]',
    '       lanmcp lab status [--name NAME] [--json]',
    '',
    'A lab is N devices lab1..labN: Debian bookworm containers booted with systemd-nspawn (systemd, sshd,',
    'sudo, nodejs 18), each in its own network namespace on a private bridge (default lab: 10.77.0.0/24,',
    'device k at .10+k) with no route anywhere else. Needs root on a Debian/Ubuntu host; installs',
    'debootstrap and systemd-container with apt-get when missing. The device image is built once (~1 min).',
    'Users on every device: root and deploy (passwordless sudo) log in with the lab key; pwsudo too, but',
    'its sudo needs a password. State, keys, known_hosts and inventory live in /var/lib/lanmcp-lab/NAME/.',
    '',
    `  up [N]       start the lab, or grow a running one to N devices (default 3, at most ${MAX_DEVICES})`,
    '  down         power every device off and remove namespaces, links, mounts, cgroups and state',
    '  status       list the devices and whether they run',
    `  --name NAME  which lab (default "${DEFAULT_LAB}"); each lab has its own bridge and subnet`,
    '  --json       up: {inventory, devices, known_hosts, ssh_key}; down/status: their report, on stdout',
    '',
    'exit: 0 ok (status: all devices running), 1 error or (status) a device not running',
  ].join('\n'),
  options: { ...jsonOption, name: { type: 'string' } },
  allowPositionals: true,
  async run(args, context) {
    const [action, ...rest] = args.positionals;
    const name = typeof args.values.name === 'string' ? args.values.name : DEFAULT_LAB;
    if (action === 'up') return runUp(name, rest, args, context);
    if (rest.length > 0) throw usage(`unexpected argument "${rest[0]}"`);
    if (action === 'down') return runDown(name, args, context);
    if (action === 'status') return runStatus(name, args, context);
    throw usage(action === undefined ? 'missing action' : `unknown action "${action}"`);
  },
};

async function runUp(name: string, rest: string[], args: CommandArgs, context: CommandContext): Promise<CommandOutcome> {
  if (rest.length > 1) throw usage(`unexpected argument "${rest[1]}"`);
  const raw = rest[0] ?? '3';
  if (!/^\d+$/.test(raw)) throw usage(`invalid device count "${raw}" (give a whole number from 1 to ${MAX_DEVICES})`);
  const count = checkDeviceCount(Number(raw));
  const started = Date.now();
  const info = await upLab({ name, devices: count, env: context.env, log: (line) => context.stderr.write(`${line}\n`) });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (args.values.json === true) {
    const { inventory, devices, known_hosts, ssh_key } = info;
    context.stdout.write(`${JSON.stringify({ inventory, devices, known_hosts, ssh_key }, null, 2)}\n`);
    context.stderr.write(`lab "${name}": ${devicesText(devices.length)} answer SSH (${seconds} s)\n`);
  } else {
    context.stdout.write(renderUp(info, seconds));
  }
  return 'ok';
}

async function runDown(name: string, args: CommandArgs, context: CommandContext): Promise<CommandOutcome> {
  requireRoot('lanmcp lab down');
  const report = await downLab(name);
  if (args.values.json === true) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (!report.existed) context.stdout.write(`lab "${name}" was not running; nothing to remove\n`);
  else context.stdout.write(`lab "${name}" is down: ${devicesText(report.devices.length)} stopped, nothing left behind\n`);
  return 'ok';
}

async function runStatus(name: string, args: CommandArgs, context: CommandContext): Promise<CommandOutcome> {
  requireRoot('lanmcp lab status');
  const status = await loadLabStatus(name);
  context.stdout.write(args.values.json === true ? `${JSON.stringify(status, null, 2)}\n` : renderLabStatus(status));
  return status.exists && status.devices.every((d) => d.running) ? 'ok' : 'failed';
}

function renderUp(info: LabInfo, seconds: string): string {
  const first = info.devices[0];
  const rows = info.devices.map((d) => `  ${d.name.padEnd(7)} ${d.address}`);
  return [
    `lab "${info.name}": ${devicesText(info.devices.length)} answer SSH (${seconds} s)`,
    ...rows,
    `inventory:   ${info.inventory}`,
    `known_hosts: ${info.known_hosts}`,
    `ssh key:     ${info.ssh_key}`,
    first ? `try: ssh -i ${info.ssh_key} -o UserKnownHostsFile=${info.known_hosts} root@${first.address}` : '',
    `     lanmcp validate -i ${info.inventory}`,
    '',
  ].join('\n');
}

function devicesText(count: number): string {
  return count === 1 ? '1 device' : `${count} devices`;
}

function usage(message: string): LanmcpError {
  return new LanmcpError('E_USAGE', `lanmcp lab: ${message}`, { hint: 'run `lanmcp lab --help`' });
}
