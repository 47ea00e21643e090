import { createInterface } from 'node:readline/promises';
import { LanmcpError } from '../shared/errors.js';
import type { CommandContext } from './command.js';

/** Asks on the terminal, Terraform style: only `yes` proceeds. Without a terminal it refuses to prompt. */
export async function confirm(question: string, context: CommandContext): Promise<boolean> {
  if (!context.interactive) {
    throw new LanmcpError('E_CONFIRM_REQUIRED', 'refusing to prompt for confirmation without a terminal', { hint: 'review `lanmcp diff`, then pass --yes' });
  }
  const rl = createInterface({ input: process.stdin, output: context.stderr });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
