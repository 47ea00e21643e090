import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Command, CommandContext } from '../../../src/cli/command.js';
import { runCli } from '../../../src/cli/run.js';
import { LanmcpError } from '../../../src/shared/errors.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const context: CommandContext = { stdout, stderr, env: {}, cwd: process.cwd(), interactive: false };
  return { context, out: () => out, err: () => err };
}

const echo: Command = {
  name: 'echo',
  summary: 'prints its flag',
  help: 'usage: lanmcp echo [--word W]',
  options: { word: { type: 'string' }, fail: { type: 'boolean' }, boom: { type: 'boolean' }, exit: { type: 'string' } },
  async run(args, context) {
    if (typeof args.values.exit === 'string') return { passThrough: Number(args.values.exit) };
    if (args.values.boom) throw new TypeError('kaboom');
    if (args.values.fail) throw new LanmcpError('E_USAGE', 'asked to fail', { hint: 'do not pass --fail', cause: new Error('root cause') });
    context.stdout.write(`${String(args.values.word ?? 'nothing')}\n`);
    return 'changes';
  },
};

describe('runCli', () => {
  it('maps outcomes to exit codes and keeps data on stdout', async () => {
    const io = capture();
    expect(await runCli(['echo', '--word', 'hi'], io.context, [echo])).toBe(2);
    expect(io.out()).toBe('hi\n');
    expect(io.err()).toBe('');
  });

  it('passes a remote command\'s exit status through, and reads an impossible one as failure', async () => {
    expect(await runCli(['echo', '--exit', '3'], capture().context, [echo])).toBe(3);
    expect(await runCli(['echo', '--exit', '0'], capture().context, [echo])).toBe(0);
    expect(await runCli(['echo', '--exit', '300'], capture().context, [echo])).toBe(1);
  });

  it('prints a coded error with hint and cause on stderr and exits 1', async () => {
    const io = capture();
    expect(await runCli(['echo', '--fail'], io.context, [echo])).toBe(1);
    expect(io.err()).toBe('error E_USAGE: asked to fail\n  hint: do not pass --fail\n  cause: root cause\n');
  });

  it('reports an unexpected exception as an internal error with its stack', async () => {
    const io = capture();
    expect(await runCli(['echo', '--boom'], io.context, [echo])).toBe(1);
    expect(io.err()).toMatch(/^error E_INTERNAL: internal error, please report it/);
    expect(io.err()).toContain('TypeError: kaboom');
  });

  it('rejects unknown commands and flags with E_USAGE', async () => {
    const unknownCommand = capture();
    expect(await runCli(['nope'], unknownCommand.context, [echo])).toBe(1);
    expect(unknownCommand.err()).toContain('error E_USAGE: unknown command "nope"');
    const unknownFlag = capture();
    expect(await runCli(['echo', '--colour'], unknownFlag.context, [echo])).toBe(1);
    expect(unknownFlag.err()).toMatch(/error E_USAGE: lanmcp echo: .*--colour/);
  });

  it('prints global help, command help and the version', async () => {
    const help = capture();
    expect(await runCli(['--help'], help.context, [echo])).toBe(0);
    expect(help.out()).toContain('echo  prints its flag');
    const commandHelp = capture();
    expect(await runCli(['echo', '--help'], commandHelp.context, [echo])).toBe(0);
    expect(commandHelp.out()).toBe('usage: lanmcp echo [--word W]\n');
    const remote = capture();
    expect(await runCli(['echo', '--word', 'x', '--', '--help'], remote.context, [{ ...echo, allowPositionals: true }])).toBe(2);
    expect(remote.out()).toBe('x\n');
    const version = capture();
    expect(await runCli(['--version'], version.context, [echo])).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('without a command prints help and exits 1', async () => {
    const io = capture();
    expect(await runCli([], io.context, [echo])).toBe(1);
    expect(io.out()).toContain('usage: lanmcp <command>');
  });
});
