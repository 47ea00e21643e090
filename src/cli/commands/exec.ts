// `lanmcp exec TARGET -- CMD ...`: one command on one or many devices through the hub's own machinery
// (upstream pools, run_command routing, audit), in-process: edge HTTP with each edge's token, never SSH.
import { createInterface } from 'node:readline/promises';
import { createAuditLog } from '../../hub/audit.js';
import { planConfirmation, type ConfirmDecision, type Confirmer } from '../../hub/confirm.js';
import { createMetrics } from '../../hub/metrics.js';
import { createHubRuntime, type HubRuntime } from '../../hub/runtime.js';
import { dispatchToolCall } from '../../hub/tools/dispatch.js';
import { planEdgeSpec } from '../../hub/upstreams/specs.js';
import type { Device, EdgeDevice } from '../../inventory/types.js';
import { mapWithLimit } from '../../shared/concurrency.js';
import { LanmcpError } from '../../shared/errors.js';
import { LANMCP_VERSION } from '../../shared/version.js';
import { readEdgeCredentials } from '../../secrets/edge-credentials.js';
import { inventoryOption, inventoryPath, jsonOption, type Command, type CommandContext } from '../command.js';
import { loadSelection } from '../selection.js';
import { execExitCode, planExecResult, renderExecJson, renderExecOutput, renderExecSummary, type ExecResult, type RunCommandOutput } from '../views/exec-view.js';

const PARALLEL = 16;
/** How the audit log names calls made by `lanmcp exec` (hub clients appear under their token's name). */
export const EXEC_AUDIT_TOKEN = 'cli:lanmcp-exec';

export const execCommand: Command = {
  name: 'exec',
  summary: 'run a command on a device, group, tag or all, over the edges\' HTTP (like parallel ssh, without SSH)',
  help: [
    'usage: lanmcp exec TARGET [-i FILE] [--json] [--timeout S] [--yes] -- CMD [ARG ...]',
    '',
    'TARGET is a device name, group, tag, glob, comma list or `all` (as --limit). The command runs through',
    "each device's edge with its token (the hub's machinery, in-process; no SSH), in parallel.",
    '  one word after --    a shell string, run with /bin/sh -c:   lanmcp exec lab1 -- \'ls /etc | wc -l\'',
    '  several words        argv, no shell (allow lists apply):  lanmcp exec pis -- uname -a',
    'Output lines are prefixed with the device: `lab1 | ...` for stdout (on stdout), `lab1 ! ...` for stderr',
    '(on stderr); then one summary line per device. Ctrl-C cancels: the edges kill the process groups.',
    '',
    '  -i, --inventory FILE   the inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)',
    '  --timeout S            seconds before each device kills the command (at most its policy timeout_s)',
    '  --yes                  approve devices whose edge.policy.confirm asks for a human (destructive or all)',
    '                         without the y/N question; without a terminal such devices are refused unless --yes',
    '  --json                 one JSON object per device on stdout: host, ok, exit_code, signal, stdout, stderr,',
    '                         truncated, timed_out, duration_ms, error',
    '',
    'exit: one device: the command\'s own exit status (1 when it could not run); many: 0 if',
    'all exited 0, else 1. Calls are written to the hub\'s audit log (hub.audit_log) as "cli:lanmcp-exec".',
  ].join('\n'),
  options: { ...inventoryOption, ...jsonOption, timeout: { type: 'string' }, yes: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, context) {
    const [target, ...words] = args.positionals;
    if (!target || words.length === 0) {
      throw new LanmcpError('E_USAGE', 'lanmcp exec needs a TARGET and a command after --', { hint: "e.g. `lanmcp exec all -- uptime` or `lanmcp exec lab1 -- 'df -h | tail -n +2'`" });
    }
    const timeout = parseTimeout(args.values.timeout);
    const selection = await loadSelection(inventoryPath(args, context), target, context);
    const edges = selection.selected.filter((d): d is EdgeDevice => d.kind === 'edge' && d.state === 'present');
    const others = selection.selected.filter((d) => !edges.includes(d as EdgeDevice)).map((d) => d.name);
    if (others.length > 0) context.stderr.write(`Skipping ${others.join(', ')}: no edge to run commands on (kind: mcp or state: absent).\n`);
    if (edges.length === 0) throw new LanmcpError('E_LIMIT_NO_MATCH', `"${target}" selects no present edge device`, { hint: 'run_command exists only on devices lanmcp provisions' });
    const credentials = await readEdgeCredentials(selection.stateDir, edges);
    const specs = edges.map((d) => planEdgeSpec(d, credentials.get(d.name) ?? {}));
    const runtime = createHubRuntime({
      specs, devices: selection.inventory.devices, groups: selection.inventory.groups ?? {}, perDeviceTools: false,
      audit: createAuditLog(selection.inventory.hub?.audit_log, (error) => context.stderr.write(`audit log not written: ${(error as Error).message}\n`)),
      metrics: createMetrics(),
    });
    const commandArgs = { ...(words.length === 1 ? { command: words[0] } : { argv: words }), ...(timeout ? { timeout_s: timeout } : {}) };
    const confirm = await confirmOnTerminal(edges.map((d) => d.name), commandArgs, selection.inventory.devices, args.values.yes === true, context);
    if (confirm === 'declined') {
      context.stderr.write('Declined: nothing was run.\n');
      return 'failed';
    }
    const results = await runEverywhere(runtime, edges.map((d) => d.name), commandArgs, { json: args.values.json === true, confirm }, context);
    if (args.values.json !== true) context.stderr.write(renderExecSummary(results));
    // One device: its command's own status, like ssh; several: 0 only if every device exited 0.
    const code = execExitCode(results);
    return code === 0 ? 'ok' : results.length === 1 ? { passThrough: code } : 'failed';
  },
};

function parseTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) {
    throw new LanmcpError('E_USAGE', `--timeout "${String(value)}" is not a whole number of seconds from 1 to 86400`, { hint: 'e.g. --timeout 30' });
  }
  return seconds;
}

/** Runs on every host (bounded), printing each device's output as it finishes; results in the given order. */
async function runEverywhere(runtime: HubRuntime, hosts: string[], commandArgs: Record<string, unknown>, how: { json: boolean; confirm?: Confirmer }, context: CommandContext): Promise<ExecResult[]> {
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', cancel);
  const width = Math.max(...hosts.map((h) => h.length));
  try {
    await runtime.start();
    return await mapWithLimit(hosts, PARALLEL, async (host) => {
      const result = await runOne(runtime, host, commandArgs, controller.signal, how.confirm);
      if (how.json) context.stdout.write(renderExecJson(result));
      else {
        const text = renderExecOutput(result, width);
        context.stdout.write(text.stdout);
        context.stderr.write(text.stderr);
      }
      return result;
    });
  } finally {
    process.off('SIGINT', cancel);
    await runtime.close();
    // Writes what is pending and closes the audit file: an exec run must not leave it open.
    await runtime.audit.close();
  }
}

async function runOne(runtime: HubRuntime, host: string, commandArgs: Record<string, unknown>, signal: AbortSignal, confirm: Confirmer | undefined): Promise<ExecResult> {
  const started = performance.now();
  const result = await dispatchToolCall(runtime, 'run_command', { host, ...commandArgs }, { signal, forward: {}, ...(confirm ? { confirm } : {}) }, {
    token: EXEC_AUDIT_TOKEN, client: { name: 'lanmcp exec', version: LANMCP_VERSION },
  });
  const text = (result.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const output = result.structuredContent as RunCommandOutput | undefined;
  return planExecResult(host, output, result.isError === true, text, Math.round(performance.now() - started));
}

/**
 * Devices whose policy wants a human (edge.policy.confirm) are asked about once, before anything runs:
 * y/N on a terminal, `--yes` otherwise. The Confirmer handed to the hub's gate approves exactly those.
 */
async function confirmOnTerminal(hosts: string[], commandArgs: Record<string, unknown>, devices: Device[], yes: boolean, context: CommandContext): Promise<Confirmer | undefined | 'declined'> {
  const plan = planConfirmation(hosts.map((device) => ({ device, tool: 'run_command', args: commandArgs })), devices);
  if (!plan) return undefined;
  let by: string;
  if (yes) by = '--yes';
  else if (!context.interactive) {
    throw new LanmcpError('E_CONFIRM_REQUIRED', `${plan.devices.join(', ')}: edge.policy.confirm wants a human to approve this command, and there is no terminal to ask on`, {
      hint: 'run it from a terminal to answer y/N, or pass --yes to approve',
    });
  } else if (await askYesNo(plan.message, context)) by = 'terminal';
  else return 'declined';
  const approved = new Set(plan.devices);
  return async (asked): Promise<ConfirmDecision> => asked.devices.every((d) => approved.has(d))
    ? { decision: 'approved', by }
    : { decision: 'refused', by, reason: 'the terminal was not asked about these devices' };
}

async function askYesNo(message: string, context: CommandContext): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: context.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${message} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
