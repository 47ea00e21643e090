import { loadInventory, selectDevices } from '../inventory/index.js';
import type { Device, InventoryResult } from '../inventory/types.js';
import { formatDiagnostic, hasErrors } from '../shared/diagnostics.js';
import { LanmcpError } from '../shared/errors.js';
import type { CommandContext } from './command.js';
import { stateDirOf } from '../inventory/paths.js';

export interface Selection {
  file: string;
  /** `.lanmcp/` next to the inventory: tokens, pins, recorded host keys, the apply lock. */
  stateDir: string;
  inventory: InventoryResult & { devices: Device[] };
  selected: Device[];
}

/**
 * Loads and validates the inventory, applies `--limit`, and echoes the selection on stderr
 * (`Selected 3/5 devices: …`). Any diagnostic error stops the command before a device is touched.
 */
export async function loadSelection(file: string, limit: string | undefined, context: CommandContext): Promise<Selection> {
  const inventory = await loadInventory(file, { cwd: context.cwd, ...(context.env.HOME ? { homeDir: context.env.HOME } : {}) });
  for (const d of inventory.diagnostics) context.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(inventory.diagnostics) || !inventory.devices) {
    throw new LanmcpError('E_INVENTORY_INVALID', `${file} is invalid (${inventory.diagnostics.length} problems above)`, { hint: `run \`lanmcp validate -i ${file}\`` });
  }
  const selection = selectDevices(inventory.devices, limit, inventory.groups ?? {});
  for (const d of selection.diagnostics) context.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(selection.diagnostics) || selection.devices.length === 0) {
    throw new LanmcpError('E_LIMIT_NO_MATCH', `--limit ${limit ?? ''} selects no device`, { hint: 'use a device name, group, tag, glob or `all`' });
  }
  const names = selection.devices.map((d) => d.name);
  context.stderr.write(`Selected ${names.length}/${inventory.devices.length} devices: ${names.join(', ')}\n`);
  return { file, stateDir: stateDirOf(file, context.cwd), inventory: { ...inventory, devices: inventory.devices }, selected: selection.devices };
}
