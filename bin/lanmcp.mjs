#!/usr/bin/env node
// Thin launcher: the built CLI lives in dist/ (run `npm run build` in a checkout).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('lanmcp: dist/cli.mjs is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
