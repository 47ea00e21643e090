// `lanmcp status`: per-device health, version and latency, from the running hub or straight from the devices.
import { readFile } from 'node:fs/promises';
import { createAgentFetch } from '../../hub/upstreams/agent-fetch.js';
import { planUpstreamSpecs } from '../../hub/upstreams/specs.js';
import { certificatePin } from '../../shared/tls-pin.js';
import { planHubEndpoint } from '../../hubhost/hub-url.js';
import type { Device, ResolvedHub } from '../../inventory/types.js';
import { mapWithLimit } from '../../shared/concurrency.js';
import { readEdgeCredentials } from '../../secrets/edge-credentials.js';
import { inventoryOption, inventoryPath, jsonOption, type Command, type CommandContext } from '../command.js';
import { localHubBase, probeDevice, probeHub, readHubDevices } from '../hub-client.js';
import { loadSelection } from '../selection.js';
import { allUp, renderStatusFooter, renderStatusJson, renderStatusTable, statusFromHubDevice, type StatusReport, type StatusRow } from '../views/status-view.js';

const PROBE_TIMEOUT_MS = 3000;
const HUB_TIMEOUT_MS = 1000;
const PROBE_PARALLEL = 32;

export const statusCommand: Command = {
  name: 'status',
  summary: 'health, version and latency of each device, from the running hub or directly over HTTP (never SSH)',
  help: [
    'usage: lanmcp status [-i FILE] [--limit PATTERN] [--json]',
    '',
    'If a hub answers at hub.listen (with hub.host: hub.public_url, else that device\'s address and hub.listen\'s',
    'port) and LANMCP_TOKEN holds one of its client tokens, asks the hub (what agents',
    'see). Otherwise checks each device itself: an edge with GET /healthz, then an MCP initialize with its',
    'token from .lanmcp/tokens/; a kind: mcp server with an MCP initialize using its environment variable.',
    'Status: up, down, auth-failed (the credential was refused) or no-token (not applied yet, or env var unset).',
    '',
    '  -i, --inventory FILE   the inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)',
    '  --limit PATTERN        device name, group, tag, glob or comma list (default: all)',
    '  --json                 one JSON object per device on stdout (the table goes to stderr otherwise)',
    '',
    'exit: 0 every selected device is up, 1 otherwise (or bad input)',
  ].join('\n'),
  options: { ...inventoryOption, ...jsonOption, limit: { type: 'string' } },
  async run(args, context) {
    const selection = await loadSelection(inventoryPath(args, context), args.values.limit as string | undefined, context);
    const devices = selection.selected.filter((d) => d.state === 'present');
    const skipped = selection.selected.length - devices.length;
    if (skipped > 0) context.stderr.write(`Skipping ${skipped} device(s) with state: absent (nothing runs there).\n`);
    const report = await gatherStatus(devices, selection.inventory.hub, selection.stateDir, context, selection.inventory.devices);
    if (args.values.json === true) {
      context.stdout.write(renderStatusJson(report));
      context.stderr.write(renderStatusFooter(report));
    } else {
      context.stderr.write(renderStatusTable(report));
    }
    return allUp(report.rows) ? 'ok' : 'failed';
  },
};

/** Rows in inventory order: from the hub for the devices it knows, checked directly for the others. */
export async function gatherStatus(devices: readonly Device[], hub: ResolvedHub | undefined, stateDir: string, context: Pick<CommandContext, 'env'>, allDevices: readonly Device[] = devices): Promise<StatusReport> {
  const fromHub = hub ? await askHub(hub, allDevices, context.env.LANMCP_TOKEN) : { note: undefined };
  const known = new Map((fromHub.rows ?? []).map((row) => [row.name, row]));
  const missing = devices.filter((d) => !known.has(d.name));
  const direct = await probeDirectly(missing, stateDir, context.env);
  const rows = devices.map((d) => known.get(d.name) ?? direct.get(d.name)!);
  return { rows, ...(fromHub.hub ? { hub: fromHub.hub } : {}), ...(fromHub.note ? { hubNote: fromHub.note } : {}) };
}

/**
 * With hub.host the hub runs on that device (or behind hub.public_url); otherwise on this machine at hub.listen.
 * A hub serving hub.tls is reached pinned to that certificate's key (often self-signed, so the system's CAs
 * would refuse it); behind hub.public_url a tunnel presents its own certificate, checked the usual way.
 */
async function hubConnection(hub: ResolvedHub, devices: readonly Device[]): Promise<{ base: string; pin?: string }> {
  const endpoint = hub.host ? planHubEndpoint(hub, devices, '127.0.0.1') : { base: localHubBase(hub), source: 'hub.listen' as const };
  if (!hub.tls || endpoint.source === 'public_url') return { base: endpoint.base };
  const pin = certificatePin(await readFile(hub.tls.cert_file).catch(() => Buffer.alloc(0)));
  return { base: endpoint.base, ...(pin ? { pin } : {}) };
}

async function askHub(hub: ResolvedHub, devices: readonly Device[], token: string | undefined): Promise<{ rows?: StatusRow[]; hub?: StatusReport['hub']; note?: string }> {
  const { base, pin } = await hubConnection(hub, devices);
  const pinned = pin ? createAgentFetch(pin) : undefined;
  try {
    const running = await probeHub(base, HUB_TIMEOUT_MS, pinned?.fetch);
    const untrusted = base.startsWith('https:') && !pin ? ' (or its certificate is not one this machine trusts)' : '';
    if (!running) return { note: `No hub answers at ${base}${untrusted}: checked the devices directly.` };
    if (!token) return { note: `A hub runs at ${base}; set LANMCP_TOKEN to one of its client tokens to see its view (checked directly meanwhile).` };
    const answer = await readHubDevices(base, token, PROBE_TIMEOUT_MS, pinned?.fetch);
    if ('error' in answer) return { note: `${answer.error}: checked the devices directly.` };
    return { rows: answer.devices.map(statusFromHubDevice), hub: { url: `${base}/mcp`, ...running } };
  } finally {
    pinned?.close();
  }
}

async function probeDirectly(devices: readonly Device[], stateDir: string, env: NodeJS.ProcessEnv): Promise<Map<string, StatusRow>> {
  const specs = planUpstreamSpecs(devices, await readEdgeCredentials(stateDir, devices), env);
  const rows = await mapWithLimit(specs, PROBE_PARALLEL, (spec) => probeDevice(spec, PROBE_TIMEOUT_MS));
  return new Map(rows.map((row) => [row.name, row]));
}
