import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { connectCommand } from './connect.js';
import { diffCommand } from './diff.js';
import { execCommand } from './exec.js';
import { hubCommand } from './hub.js';
import { initCommand } from './init.js';
import { labCommand } from './lab.js';
import { statusCommand } from './status.js';
import { tokenCommand } from './token.js';
import { validateCommand } from './validate.js';

/** Every command, in the order `lanmcp --help` lists them. */
export const commands: readonly Command[] = [
  initCommand,
  validateCommand,
  diffCommand,
  applyCommand,
  hubCommand,
  statusCommand,
  execCommand,
  connectCommand,
  tokenCommand,
  labCommand,
];
