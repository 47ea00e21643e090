// `lanmcp exec TARGET -- CMD ...`: one command on one or many devices through the hub's own machinery
// (upstream pools, run_command routing, audit), in-process: edge HTTP with each edge's token, never SSH.
import { createAuditLog } from '../../hub/audit.js';
import { createMetrics } from '../../hub/metrics.js';
import { createHubRuntime, type HubRuntime } from '../../hub/runtime.js';
import { dispatchToolCall } from '../../hub/tools/dispatch.js';
import { planEdgeSpec } from '../../hub/upstreams/specs.js';
import type { EdgeDevice } from '../../inventory/types.js';
import { mapWithLimit } from '../../shared/concurrency.js';
import { LanmcpError } from '../../shared/errors.js';
import { LANMCP_VERSION } from '../../shared/version.js';
import { createTokenStore } from '../../secrets/token-store.js';
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
    'usage: lanmcp exec TARGET [-i FILE] [--json] [--timeout S] -- CMD [ARG ...]',
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
    '  --json                 one JSON object per device on stdout: host, ok, exit_code, signal, stdout, stderr,',
    '                         truncated, timed_out, duration_ms, error',
    '',
    'exit: one device: 0 if it exited 0, else 1 (the command\'s own code once the CLI can return it); many: 0 if',
    'all exited 0, else 1. Calls are written to the hub\'s audit log (hub.audit_log) as "cli:lanmcp-exec".',
  ].join('\n'),
  options: { ...inventoryOption, ...jsonOption, timeout: { type: 'string' } },
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
    const store = createTokenStore(selection.stateDir);
    const specs = await Promise.all(edges.map(async (d) => planEdgeSpec(d, await store.read(d.name))));
    const runtime = createHubRuntime({
      specs, devices: selection.inventory.devices, groups: selection.inventory.groups ?? {}, perDeviceTools: false,
      audit: createAuditLog(selection.inventory.hub?.audit_log, (error) => context.stderr.write(`audit log not written: ${(error as Error).message}\n`)),
      metrics: createMetrics(),
    });
    const commandArgs = { ...(words.length === 1 ? { command: words[0] } : { argv: words }), ...(timeout ? { timeout_s: timeout } : {}) };
    const results = await runEverywhere(runtime, edges.map((d) => d.name), commandArgs, args.values.json === true, context);
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
async function runEverywhere(runtime: HubRuntime, hosts: string[], commandArgs: Record<string, unknown>, json: boolean, context: CommandContext): Promise<ExecResult[]> {
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', cancel);
  const width = Math.max(...hosts.map((h) => h.length));
  try {
    await runtime.start();
    return await mapWithLimit(hosts, PARALLEL, async (host) => {
      const result = await runOne(runtime, host, commandArgs, controller.signal);
      if (json) context.stdout.write(renderExecJson(result));
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
    await runtime.audit.flush();
  }
}

async function runOne(runtime: HubRuntime, host: string, commandArgs: Record<string, unknown>, signal: AbortSignal): Promise<ExecResult> {
  const started = performance.now();
  const result = await dispatchToolCall(runtime, 'run_command', { host, ...commandArgs }, { signal, forward: {} }, {
    token: EXEC_AUDIT_TOKEN, client: { name: 'lanmcp exec', version: LANMCP_VERSION },
  });
  const text = (result.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const output = result.structuredContent as RunCommandOutput | undefined;
  return planExecResult(host, output, result.isError === true, text, Math.round(performance.now() - started));
}
