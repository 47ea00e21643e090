import { loadArtifacts } from '../../apply/artifacts.js';
import { inspectDevices } from '../../apply/inspect.js';
import { loadHubArtifacts } from '../../hubhost/artifacts.js';
import { hubPlans, planHubPhase, type HubPhase } from '../../hubhost/hub-phase.js';
import type { EdgeDevice } from '../../inventory/types.js';
import { hasChanges, hasErrors, summarizePlan } from '../../plan/summary.js';
import { createTokenStore } from '../../secrets/token-store.js';
import { inventoryOption, inventoryPath, jsonOption, type Command } from '../command.js';
import { parseForks, planFlags } from '../plan-flags.js';
import { loadSelection } from '../selection.js';
import { renderPlan } from '../views/plan-view.js';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'show what apply would change on each device (exit 0 in sync, 2 changes, 1 error)',
  help: `usage: lanmcp diff [-i FILE] [--limit PATTERN] [--json] [--verbose] [--diff] [--allow-unreachable]
                   [--accept-new-host-keys] [--forks N]

Connects to each selected device over SSH once, reads its facts (read-only) and prints the plan:
  + create   ~ update   - remove   = unchanged (shown with --verbose)   ! cannot proceed
With hub.host, the hub service on that device has a row of its own, \`hub on DEVICE\` (its config, which
holds the edges' tokens, appears only as a fingerprint); a --limit without the hub host leaves it out.
A hub left on the previous hub host (hub.host moved or removed) gets a removal row.
  -i, --inventory FILE       inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)
  --limit PATTERN            device name, group, tag, glob or comma list (default: all)
  --json                     print the plan as JSON on stdout
  --verbose                  also list unchanged devices and no-op resources with their reasons
  --diff                     unified diffs of the unit and config (secrets as fingerprints)
  --allow-unreachable        an unreachable device is reported, not an error
  --accept-new-host-keys     record host keys not yet known (a changed key still fails)
  --forks N                  devices inspected in parallel (default 20)
Exit codes: 0 devices match the inventory, 2 changes pending, 1 error.`,
  options: { ...inventoryOption, ...jsonOption, ...planFlags, verbose: { type: 'boolean' }, diff: { type: 'boolean' }, 'allow-unreachable': { type: 'boolean' } },
  async run(args, context) {
    const selection = await loadSelection(inventoryPath(args, context), args.values.limit as string | undefined, context);
    const devices = selection.selected.filter((d): d is EdgeDevice => d.kind === 'edge');
    const inspections = await inspectDevices(devices, {
      stateDir: selection.stateDir,
      acceptNewHostKeys: Boolean(args.values['accept-new-host-keys']),
      artifacts: await loadArtifacts(),
      tokens: createTokenStore(selection.stateDir),
      forks: parseForks(args.values.forks),
      issueTokens: false,
      rotate: new Set(),
    });
    const hub = selection.inventory.hub;
    let hubPhase: HubPhase | undefined;
    try {
      // The hub host's open connection serves the hub's facts too.
      if (hub) hubPhase = await planHubPhase({ hub, devices: selection.inventory.devices, groups: selection.inventory.groups ?? {}, stateDir: selection.stateDir, env: context.env }, inspections, loadHubArtifacts);
    } finally {
      await Promise.all(inspections.map((i) => i.connector?.close()));
    }
    for (const note of hubPhase?.notes ?? []) context.stderr.write(`${note}\n`);
    const plan = summarizePlan([...inspections.map((i) => i.plan), ...(hubPhase ? hubPlans(hubPhase) : [])]);
    if (args.values.json) context.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    context.stderr.write(renderPlan(plan, { verbose: Boolean(args.values.verbose), diff: Boolean(args.values.diff) }));
    if (hasErrors(plan, { allowUnreachable: Boolean(args.values['allow-unreachable']) })) return 'failed';
    return hasChanges(plan) ? 'changes' : 'ok';
  },
};
