// `lanmcp validate`: schema and semantic checks of the inventory. Reads one file; never touches the network.
import type { Command } from '../command.js';
import { inventoryOption, inventoryPath, jsonOption } from '../command.js';
import { loadInventory } from '../../inventory/index.js';
import { renderDiagnostics, renderValidateJson, renderValidateSummary, validateReport } from '../views/diagnostics-view.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the inventory (schema and rules); touches no device',
  help: [
    'usage: lanmcp validate [-i FILE] [--json]',
    '',
    'Checks the inventory against schemas/inventory.schema.json and the rules the schema cannot say',
    '(duplicate addresses, unknown group members, secrets written inline, …) and reports every problem',
    'at once as file:line:col. Warnings (e.g. edge tls: false) do not fail.',
    '',
    '  -i, --inventory FILE  the inventory (default: $LANMCP_INVENTORY or ./inventory.yaml)',
    '  --json                print {valid, file, devices, diagnostics} on stdout',
    '',
    'exit: 0 valid, 1 invalid or unreadable',
  ].join('\n'),
  options: { ...inventoryOption, ...jsonOption },
  async run(args, context) {
    const file = inventoryPath(args, context);
    const homeDir = context.env.HOME;
    const result = await loadInventory(file, { cwd: context.cwd, ...(homeDir ? { homeDir } : {}) });
    context.stderr.write(renderDiagnostics(result.diagnostics));
    context.stderr.write(renderValidateSummary(file, result));
    if (args.values.json === true) context.stdout.write(renderValidateJson(file, result));
    return validateReport(file, result).valid ? 'ok' : 'failed';
  },
};
