import { loadArtifacts } from '../../apply/artifacts.js';
import { inspectDevices } from '../../apply/inspect.js';
import { acquireApplyLock } from '../../apply/lock.js';
import { settledResult } from '../../apply/execute-device.js';
import { runDevices } from '../../apply/run-devices.js';
import type { EdgeDevice } from '../../inventory/types.js';
import { hasChanges, summarizePlan } from '../../plan/summary.js';
import { loadHubArtifacts, type HubArtifacts } from '../../hubhost/artifacts.js';
import { hubPlans, planHubPhase, runHubPhase, type HubPhase } from '../../hubhost/hub-phase.js';
import { planHubEndpoint } from '../../hubhost/hub-url.js';
import type { DeviceResult } from '../../apply/execute-device.js';
import type { DeviceInspection } from '../../apply/inspect.js';
import type { Device, ResolvedHub } from '../../inventory/types.js';
import { createTokenStore } from '../../secrets/token-store.js';
import { LanmcpError } from '../../shared/errors.js';
import { inventoryOption, inventoryPath, jsonOption, type Command, type CommandArgs, type CommandContext } from '../command.js';
import { confirm } from '../confirm.js';
import { serveHubInForeground } from './hub.js';
import { parseForks, planFlags } from '../plan-flags.js';
import { loadSelection } from '../selection.js';
import { renderPlan } from '../views/plan-view.js';
import { renderRecap } from '../views/recap-view.js';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'provision or update the edge on each device over SSH, verify it over pinned HTTPS (exit 0 only if all converged)',
  help: `usage: lanmcp apply [-i FILE] [--limit PATTERN] [--yes] [--no-hub] [--forks N] [--json] [--verbose]
                    [--rotate-tokens all|NAME,...] [--accept-new-host-keys]

Plans like \`lanmcp diff\`, asks for confirmation, then per device in parallel: uploads the edge bundle,
config and unit atomically, has the edge generate its TLS key on the device (first apply, or with
--rotate-tokens, which renews key and token together) and pins its public key read back over SSH, restarts
the edge only when a managed file changed, verifies over HTTPS pinned to that key (HTTP for tls: false)
that it answers MCP with its token and version (rolling back on failure), and writes a receipt. Then it runs
the hub in the foreground (like \`lanmcp hub\`, until Ctrl-C) unless --no-hub: scripts and CI pass --no-hub.
With hub.host in the inventory, the hub is a service on that device instead: after the edges, apply
writes its bundle, config (the edges' tokens and pins, client-token hashes; 0600) and unit there, restarts
it only when one changed, checks GET /healthz (rolling back on failure), and starts no foreground hub.
A --limit that leaves out the hub host leaves the hub alone. When hub.host moves or goes, the hub left on
the previous host (recorded in .lanmcp/hub-host.json) is stopped and removed.
  -i, --inventory FILE       inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)
  --limit PATTERN            device name, group, tag, glob or comma list (default: all)
  --yes                      do not ask for confirmation (required without a terminal)
  --no-hub                   stop after provisioning instead of running the hub (implied by hub.host)
  --forks N                  devices worked on in parallel (default 20)
  --json                     print the plan and per-device results as JSON on stdout
  --verbose                  also list unchanged devices and no-op resources
  --rotate-tokens LIST       issue new tokens and TLS keys for \`all\` selected devices or the named ones
  --accept-new-host-keys     record host keys not yet known (a changed key still fails)
Exit codes: 0 every selected device (and the hub on hub.host) converged, 1 any failed or was unreachable
(after the foreground hub stops).`,
  options: { ...inventoryOption, ...jsonOption, ...planFlags, yes: { type: 'boolean', short: 'y' }, 'no-hub': { type: 'boolean' }, verbose: { type: 'boolean' }, 'rotate-tokens': { type: 'string' } },
  async run(args, context) {
    const file = inventoryPath(args, context);
    const { outcome, hubWhere } = await provision(file, args, context);
    if (outcome === 'cancelled') return 'failed';
    if (hubWhere !== undefined) context.stderr.write(hubWhere);
    else if (!args.values['no-hub']) await serveHubInForeground(file, context);
    return outcome;
  },
};

/**
 * Plan, confirm, execute, recap — under the inventory's lock, with every connection closed at the end.
 * `hubWhere` (with hub.host) says where the hub runs, in place of a foreground hub.
 */
async function provision(file: string, args: CommandArgs, context: CommandContext): Promise<{ outcome: 'ok' | 'failed' | 'cancelled'; hubWhere?: string }> {
  const selection = await loadSelection(file, args.values.limit as string | undefined, context);
  const hub = selection.inventory.hub;
  const devices = selection.selected.filter((d): d is EdgeDevice => d.kind === 'edge');
  const forks = parseForks(args.values.forks);
  const release = await acquireApplyLock(selection.stateDir);
  try {
    const artifacts = await loadArtifacts();
    const tokens = createTokenStore(selection.stateDir);
    const inspections = await inspectDevices(devices, {
      stateDir: selection.stateDir,
      acceptNewHostKeys: Boolean(args.values['accept-new-host-keys']),
      artifacts,
      tokens,
      forks,
      issueTokens: true,
      rotate: rotationSet(args.values['rotate-tokens'], devices),
    });
    try {
      let hubArtifacts: HubArtifacts | undefined;
      const loadHub = async () => (hubArtifacts ??= await loadHubArtifacts());
      const hubPhase = hub ? await planHubPhase({ hub, devices: selection.inventory.devices, groups: selection.inventory.groups ?? {}, stateDir: selection.stateDir, env: context.env }, inspections, loadHub) : undefined;
      for (const note of hubPhase?.notes ?? []) context.stderr.write(`${note}\n`);
      const plan = summarizePlan([...inspections.map((i) => i.plan), ...(hubPhase ? hubPlans(hubPhase) : [])]);
      context.stderr.write(renderPlan(plan, { verbose: Boolean(args.values.verbose), diff: false }));
      const count = plan.summary.provision + plan.summary.update + plan.summary.remove;
      if (hasChanges(plan) && !args.values.yes && !(await confirm(`Apply these changes to ${count} devices?`, context))) {
        context.stderr.write('Apply cancelled.\n');
        return { outcome: 'cancelled' };
      }
      // Without changes every device is settled (in sync, or failed to inspect): nothing to run.
      const results = hasChanges(plan)
        ? await runDevices(inspections, { artifacts, tokens, forks, interactive: context.interactive, stderr: context.stderr })
        : inspections.map((i) => settledResult(i)!);
      if (hubPhase) results.push(...(await hubResults(hubPhase, inspections, results, loadHub, context)));
      context.stderr.write(renderRecap(results));
      if (args.values.json) context.stdout.write(`${JSON.stringify({ plan, results }, null, 2)}\n`);
      const hubWhere = hub?.host ? renderHubWhere({ ...hub, host: hub.host }, selection.inventory.devices, hubPhase, results) : undefined;
      return { outcome: results.every(converged) ? 'ok' : 'failed', ...(hubWhere !== undefined ? { hubWhere } : {}) };
    } finally {
      await Promise.all(inspections.map((i) => i.connector?.close()));
    }
  } finally {
    await release();
  }
}

/** The hub phase after the edges: result rows `hub on <device>` (the hub on hub.host, a hub removed from a previous host). */
async function hubResults(phase: HubPhase, inspections: DeviceInspection[], results: DeviceResult[], artifacts: () => Promise<HubArtifacts>, context: CommandContext): Promise<DeviceResult[]> {
  const done = await runHubPhase(phase, inspections, results, artifacts, (row, step) => context.stderr.write(`${row}: ${step}\n`));
  for (const r of done) context.stderr.write(`${r.device}: ${r.status}${r.verify ? ` (hub ${r.verify.version} answers /healthz)` : ''}\n`);
  return done;
}

const converged = (r: DeviceResult) => r.status === 'ok' || r.status === 'changed';

/** With hub.host, in place of a foreground hub: where the hub runs, or that it failed. */
function renderHubWhere(hub: ResolvedHub & { host: string }, devices: Device[], phase: HubPhase | undefined, results: DeviceResult[]): string {
  const served = phase?.serve ? results.find((r) => r.device === phase.serve!.inspection.plan.device) : undefined;
  if (served && !converged(served)) return `No foreground hub is started (hub.host is set); the hub on ${hub.host} failed: see its error above.\n`;
  const url = planHubEndpoint(hub, devices, hub.host).url;
  return `The hub runs on ${hub.host} as lanmcp-hub.service: ${url}\nNo foreground hub is started (hub.host is set). \`lanmcp connect claude\` prints a client's config; \`lanmcp status\` asks the hub.\n`;
}

function rotationSet(value: unknown, devices: EdgeDevice[]): Set<string> {
  if (typeof value !== 'string') return new Set();
  if (value === 'all') return new Set(devices.map((d) => d.name));
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((name) => !devices.some((d) => d.name === name));
  if (unknown.length > 0) {
    throw new LanmcpError('E_USAGE', `--rotate-tokens names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not among the selected edge devices`, { hint: 'use `all` or names of selected devices' });
  }
  return new Set(names);
}
