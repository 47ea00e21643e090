// `lanmcp init`: a starting inventory (the commented example), the private `.lanmcp/` state folder and
// a .gitignore entry so tokens and pins never reach git.
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { LanmcpError } from '../../shared/errors.js';
import { findPackageRoot } from '../../shared/package-root.js';
import type { Command } from '../command.js';
import { inventoryOption, inventoryPath } from '../command.js';

const STATE_DIR = '.lanmcp';
const IGNORE_LINE = '.lanmcp/';

/** The example with its schema comment pointing at this installation's schema (the example's is relative to the package). */
export function renderStarterInventory(example: string, schemaPath: string): string {
  return example.replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schemaPath}`);
}

async function writeInventory(target: string, text: string, shown: string): Promise<void> {
  try {
    await writeFile(target, text, { flag: 'wx' });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    // No `cause`: "EEXIST: file already exists" would only repeat the message.
    throw new LanmcpError('E_INIT_EXISTS', `${shown} already exists; init never overwrites an inventory`, {
      hint: 'edit it, or pass -i OTHER.yaml to start a new one',
    });
  }
}

/** Adds `.lanmcp/` to the .gitignore next to the inventory unless a line already covers it. Returns whether it changed. */
async function ignoreStateDir(dir: string): Promise<boolean> {
  const path = join(dir, '.gitignore');
  const current = existsSync(path) ? await readFile(path, 'utf8') : '';
  const lines = current.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => ['.lanmcp', '.lanmcp/', '/.lanmcp', '/.lanmcp/'].includes(line))) return false;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${IGNORE_LINE}\n`);
  return true;
}

export const initCommand: Command = {
  name: 'init',
  summary: 'write a commented starter inventory, .lanmcp/ and a .gitignore entry',
  help: [
    'usage: lanmcp init [-i FILE]',
    '',
    'Writes FILE (default ./inventory.yaml) from the commented example, creates .lanmcp/ next to it',
    '(mode 0700: tokens, host-key pins) and adds .lanmcp/ to the .gitignore there. Never overwrites.',
    '',
    '  -i, --inventory FILE  where to write the inventory',
    '',
    'exit: 0 written, 1 the file exists',
  ].join('\n'),
  options: { ...inventoryOption },
  async run(args, context) {
    const shown = inventoryPath(args, context);
    const target = resolve(context.cwd, shown);
    const root = findPackageRoot();
    const example = await readFile(join(root, 'inventory.example.yaml'), 'utf8');
    await mkdir(dirname(target), { recursive: true });
    await writeInventory(target, renderStarterInventory(example, join(root, 'schemas', 'inventory.schema.json')), shown);
    const stateDir = join(dirname(target), STATE_DIR);
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await chmod(stateDir, 0o700); // mkdir's mode is filtered by the umask, and an existing folder keeps its own
    const ignored = await ignoreStateDir(dirname(target));
    const where = relative(context.cwd, stateDir) || STATE_DIR;
    context.stderr.write(`wrote ${shown}\ncreated ${where}/ (mode 0700)\n`);
    if (ignored) context.stderr.write(`added ${IGNORE_LINE} to ${relative(context.cwd, join(dirname(target), '.gitignore'))}\n`);
    context.stderr.write(`next: edit ${shown} for your devices, then run \`lanmcp validate -i ${shown}\`\n`);
    return 'ok';
  },
};
