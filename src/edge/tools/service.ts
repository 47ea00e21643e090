import { refuse } from '../policy.js';
import type { System } from '../system.js';
import { failure, refusal, success, type EdgeTool } from './tool.js';

const ACTIONS = ['status', 'start', 'stop', 'restart', 'enable', 'disable'] as const;
/** systemd unit names: no leading dash (it would read as a flag), no spaces or shell characters. */
const UNIT_PATTERN = '^[A-Za-z0-9_:.@\\\\][A-Za-z0-9_:.@\\\\-]{0,254}$';
const SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'Description', 'MainPID'];

/** The edge's own unit: stopping or disabling it through itself would cut the agent off for good. */
export function isEdgeUnit(unit: string): boolean {
  return unit === 'lanmcp-edge' || unit === 'lanmcp-edge.service';
}

/** service: systemctl status/start/stop/restart/enable/disable of one named unit (argv, never a shell). */
export const serviceTool: EdgeTool = {
  name: 'service',
  title: 'Manage a systemd service',
  description:
    'Show or change a systemd unit on this device: action status, start, stop, restart, enable or disable. Returns the ' +
    'unit\'s load, active and enablement state after the action, plus systemctl\'s output. Only status is allowed on ' +
    'read-only devices; the edge\'s own unit (lanmcp-edge) can only be inspected.',
  inputSchema: {
    type: 'object',
    properties: {
      unit: { type: 'string', pattern: UNIT_PATTERN, description: 'Unit name, e.g. "ssh" or "nginx.service".' },
      action: { type: 'string', enum: ACTIONS, description: 'What to do.' },
    },
    required: ['unit', 'action'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: {
      unit: { type: 'string' }, action: { type: 'string' }, exit_code: { type: ['integer', 'null'] },
      load_state: { type: 'string' }, active_state: { type: 'string' }, sub_state: { type: 'string' },
      unit_file_state: { type: 'string' }, description: { type: 'string' }, main_pid: { type: 'integer' }, output: { type: 'string' },
    },
    required: ['unit', 'action', 'exit_code', 'load_state', 'active_state', 'sub_state', 'unit_file_state', 'output'],
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async call(args, { config, system, signal }) {
    const unit = args.unit as string;
    const action = args.action as (typeof ACTIONS)[number];
    if (action !== 'status' && config.policy.read_only) return refusal(refuse('policy.read_only', `"${action}" changes the system and this device is read-only`));
    if (action !== 'status' && isEdgeUnit(unit)) return refusal(refuse('protected_paths', `the edge cannot ${action} its own unit`));
    const opts = { timeoutMs: config.policy.timeout_s * 1000, maxOutputBytes: config.policy.max_output_bytes, signal };
    const actionArgs = action === 'status' ? ['status', '--no-pager', '--lines=20', unit] : [action, unit];
    const run = await system.run({ file: 'systemctl', args: actionArgs, ...opts });
    if (run.spawnError) return failure(`service: could not run systemctl: ${run.spawnError}`);
    const props = await showUnit(system, unit, opts);
    const output = `${run.stdout}${run.stderr}`.trim();
    const structured = {
      unit, action, exit_code: run.exitCode, load_state: props.LoadState ?? 'unknown', active_state: props.ActiveState ?? 'unknown',
      sub_state: props.SubState ?? 'unknown', unit_file_state: props.UnitFileState ?? '', description: props.Description ?? '',
      main_pid: Number(props.MainPID ?? 0), output,
    };
    const state = `${unit}: ${structured.load_state}, ${structured.active_state} (${structured.sub_state}), ${structured.unit_file_state || 'no unit file'}`;
    if (structured.load_state === 'not-found') return failure(`service: unit ${unit} not found\n${output}`, { exit_code: run.exitCode });
    // `systemctl status` exits 3 for an inactive unit: that is an answer, not a failure.
    const failed = action === 'status' ? run.exitCode === null || run.exitCode > 3 : run.exitCode !== 0;
    if (failed) return failure(`service: systemctl ${action} ${unit} failed (exit ${run.exitCode})\n${state}\n${output}`, { exit_code: run.exitCode });
    return success(`${action === 'status' ? '' : `${action} ${unit}: done\n`}${state}${output ? `\n${output}` : ''}`, structured, { exit_code: run.exitCode });
  },
};

async function showUnit(system: System, unit: string, opts: { timeoutMs: number; maxOutputBytes: number; signal: AbortSignal }): Promise<Record<string, string>> {
  const run = await system.run({ file: 'systemctl', args: ['show', `--property=${SHOW_PROPERTIES.join(',')}`, unit], ...opts });
  return parseShow(run.stdout);
}

/** `Key=value` lines of `systemctl show`. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
