import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { diffCommand } from './diff.js';
import { hubCommand } from './hub.js';
import { initCommand } from './init.js';
import { labCommand } from './lab.js';
import { tokenCommand } from './token.js';
import { validateCommand } from './validate.js';

/** Every command, in the order `lanmcp --help` lists them. */
export const commands: readonly Command[] = [initCommand, validateCommand, diffCommand, applyCommand, hubCommand, tokenCommand, labCommand];
