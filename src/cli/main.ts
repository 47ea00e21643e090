import { commands } from './commands/index.js';
import { runCli } from './run.js';

// Wiring only: real streams and environment in, exit code out.
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
}, commands);
process.exitCode = code;
