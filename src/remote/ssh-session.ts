/**
 * The Connector over one open SSH connection. It sees the connection only through the small
 * `SshClientLike` shape below (what ssh2's Client provides), so its logic is unit-tested with a fake.
 */
import { constants } from 'node:os';
import type { Connector, ExecOptions, ExecResult, PutFileOptions } from './connector.js';
import { remoteCommandFailure, sudoPasswordFailure } from './ssh-errors.js';
import { buildAtomicWriteScript, execCommandLine, isSudoPasswordRefusal, shCommand } from './shell.js';
import { LanmcpError } from '../shared/errors.js';

// ssh2 emits events with varied arguments; each listener below states the ones it reads.
type Listener = (...args: any[]) => void;

/** The part of an ssh2 ClientChannel used here. */
export interface SshChannelLike {
  stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
  on(event: string, listener: Listener): unknown;
  end(data?: Buffer): unknown;
  close(): unknown;
}

/** The part of an ssh2 Client used here. */
export interface SshClientLike {
  exec(command: string, callback: (error: Error | undefined, channel: SshChannelLike) => void): unknown;
  on(event: string, listener: Listener): unknown;
  end(): unknown;
}

export interface SessionOptions {
  label: string;
  user: string;
  become: 'sudo' | 'none';
  /** Ends the connection, and a jump host's; resolves once it is closed. */
  end: () => Promise<void>;
}

/** sshd's MaxSessions is 10 by default: stay under it, queue the rest. */
const MAX_CHANNELS = 8;

/** A Connector running everything over `client`, one channel per command. */
export function createSshSession(client: SshClientLike, options: SessionOptions): Connector {
  const { label } = options;
  let lost: Error | undefined;
  let closing = false;
  client.on('error', ((error: Error) => (lost ??= error)) as Listener);
  client.on('close', (() => (lost ??= new Error('connection closed'))) as Listener);
  const slots = createSlots(MAX_CHANNELS);

  const run = async (command: string, stdin: Uint8Array | undefined, timeoutMs: number | undefined, shown: string): Promise<ExecResult> => {
    await slots.acquire();
    try {
      if (lost && !closing) throw connectionLost(label, lost);
      if (closing) throw new LanmcpError('E_INTERNAL', `the connection to ${label} was already closed by lanmcp`);
      return await runOnChannel(client, { command, stdin, timeoutMs, shown, label, isLost: () => lost });
    } finally {
      slots.release();
    }
  };

  return {
    label,
    async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
      const sudo = opts.become === true && options.become === 'sudo';
      const stdin = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin, 'utf8') : opts.stdin;
      const line = execCommandLine(command, { sudo, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) });
      const result = await run(line, stdin, opts.timeoutMs, command);
      if (sudo && result.code !== 0 && isSudoPasswordRefusal(result.stderr)) throw sudoPasswordFailure(label, options.user, result.stderr);
      if (opts.timeoutMs !== undefined && result.code === 127 && /\btimeout: (command )?not found/.test(result.stderr)) {
        throw remoteCommandFailure(label, command, 'a time limit needs the `timeout` command (coreutils or busybox), which this device lacks');
      }
      return result;
    },
    async putFile(remotePath: string, content: string | Uint8Array, opts: PutFileOptions): Promise<void> {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      const become = opts.become === true;
      const script = buildAtomicWriteScript({ path: remotePath, mode: opts.mode, size: bytes.byteLength, ownerRoot: become });
      const sudo = become && options.become === 'sudo';
      const result = await run(shCommand(script, sudo), bytes, undefined, `write ${remotePath}`);
      if (sudo && result.code !== 0 && isSudoPasswordRefusal(result.stderr)) throw sudoPasswordFailure(label, options.user, result.stderr);
      if (result.code !== 0) throw remoteCommandFailure(label, `writing ${remotePath}`, `exit code ${result.code}: ${result.stderr.trim() || '(no output)'}`);
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      await options.end();
    },
  };
}

interface ChannelRun {
  command: string;
  stdin: Uint8Array | undefined;
  timeoutMs: number | undefined;
  /** The command as the caller wrote it, for messages (not the sudo-wrapped line). */
  shown: string;
  label: string;
  isLost: () => Error | undefined;
}

/** One command on one channel: collects bytes, decodes at the end (a UTF-8 character may span chunks). */
function runOnChannel(client: SshClientLike, r: ChannelRun): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const done = (error: LanmcpError | undefined, result?: ExecResult): void => {
      clearTimeout(timer);
      if (error) reject(error);
      else if (result) resolve(result);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      client.exec(r.command, (error, channel) => {
        if (error) return done(connectionLost(r.label, error));
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exit: { code: number; signal?: string } | undefined;
        let timedOut = false;
        if (r.timeoutMs !== undefined) {
          // The device's own `timeout` (shell.ts) stops the command; here we only stop waiting for it.
          timer = setTimeout(() => {
            timedOut = true;
            channel.close();
            done(remoteCommandFailure(r.label, r.shown, `timed out after ${r.timeoutMs} ms (the device stops it with SIGTERM, then SIGKILL)`));
          }, r.timeoutMs);
        }
        channel.on('data', ((chunk: Buffer) => stdout.push(chunk)) as Listener);
        channel.stderr.on('data', (chunk) => stderr.push(chunk));
        channel.on('exit', ((code: number | null, signal?: string) => (exit = exitStatus(code, signal))) as Listener);
        channel.on('close', (() => {
          if (timedOut) return;
          if (exit === undefined) {
            const lost = r.isLost();
            return done(lost ? connectionLost(r.label, lost) : remoteCommandFailure(r.label, r.shown, 'the command ended without an exit status'));
          }
          done(undefined, { ...exit, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
        }) as Listener);
        channel.end(r.stdin === undefined ? undefined : Buffer.from(r.stdin.buffer, r.stdin.byteOffset, r.stdin.byteLength));
      });
    } catch (error) {
      done(connectionLost(r.label, error));
    }
  });
}

function exitStatus(code: number | null, signal: string | undefined): { code: number; signal?: string } {
  if (code !== null && code !== undefined) return { code };
  const name = signal ?? 'UNKNOWN';
  const number = (constants.signals as Record<string, number | undefined>)[`SIG${name}`];
  return { code: number === undefined ? 255 : 128 + number, signal: name };
}

function connectionLost(label: string, cause: unknown): LanmcpError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new LanmcpError('E_SSH_UNREACHABLE', `the SSH connection to ${label} was lost: ${reason}`, {
    hint: 'the device stopped answering (reboot, network, sshd restart); rerun when it is back',
    cause,
  });
}

function createSlots(max: number): { acquire(): Promise<void>; release(): void } {
  let free = max;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve))),
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
