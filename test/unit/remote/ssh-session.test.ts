import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSshSession, type SshChannelLike, type SshClientLike } from '../../../src/remote/ssh-session.js';

/** What a fake device does with one command: the bytes it got on stdin, and what it answers. */
type Script = (command: string, stdin: Buffer, channel: FakeChannel) => void;

class FakeChannel extends EventEmitter implements SshChannelLike {
  stderr = new EventEmitter();
  private input: Buffer[] = [];
  constructor(private readonly onEnd: (stdin: Buffer) => void) {
    super();
  }
  end(data?: Buffer): void {
    if (data) this.input.push(data);
    setImmediate(() => this.onEnd(Buffer.concat(this.input)));
  }
  close(): void {
    setImmediate(() => this.emit('close'));
  }
  /** Answers like sshd: output, exit status, close. */
  finish(code: number | null, out = '', err = '', signal?: string): void {
    if (out) this.emit('data', Buffer.from(out));
    if (err) this.stderr.emit('data', Buffer.from(err));
    this.emit('exit', code, signal);
    this.emit('close');
  }
}

class FakeClient extends EventEmitter implements SshClientLike {
  commands: string[] = [];
  channels: FakeChannel[] = [];
  ended = false;
  constructor(private readonly script: Script) {
    super();
  }
  exec(command: string, callback: (error: Error | undefined, channel: SshChannelLike) => void): void {
    this.commands.push(command);
    const channel: FakeChannel = new FakeChannel((stdin) => this.script(command, stdin, channel));
    this.channels.push(channel);
    setImmediate(() => callback(undefined, channel));
  }
  end(): void {
    this.ended = true;
  }
}

function session(script: Script, become: 'sudo' | 'none' = 'sudo') {
  const client = new FakeClient(script);
  const connector = createSshSession(client, { label: 'kitchen (deploy@10.0.0.21:22)', user: 'deploy', become, end: async () => void client.end() });
  return { client, connector };
}

describe('exec over one connection', () => {
  it('returns non-zero exits and untrimmed output instead of throwing', async () => {
    const { connector } = session((_, __, ch) => ch.finish(3, '  out\n', 'err\n'));
    await expect(connector.exec('false')).resolves.toEqual({ code: 3, stdout: '  out\n', stderr: 'err\n' });
  });

  it('wraps become commands in sudo -n sh -c, and leaves them alone for become: none', async () => {
    const sudo = session((_, __, ch) => ch.finish(0, 'root\n'));
    await sudo.connector.exec("echo 'x' && whoami", { become: true });
    await sudo.connector.exec('whoami');
    expect(sudo.client.commands).toEqual([`sudo -n -- sh -c 'echo '\\''x'\\'' && whoami'`, 'whoami']);
    const none = session((_, __, ch) => ch.finish(0), 'none');
    await none.connector.exec('whoami', { become: true });
    expect(none.client.commands).toEqual(['whoami']);
  });

  it('throws E_SUDO_PASSWORD when sudo wants a password, naming the device and the fix', async () => {
    const { connector } = session((_, __, ch) => ch.finish(1, '', 'sudo: a password is required\n'));
    const error = await connector.exec('id', { become: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_SUDO_PASSWORD', message: expect.stringContaining('kitchen (deploy@10.0.0.21:22)') });
    expect((error as { hint: string }).hint).toContain('give deploy passwordless sudo for lanmcp (NOPASSWD) or use become: none with user root');
  });

  it('sends stdin binary-safe and decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 0x80, 0xc3]);
    const { connector } = session((_, stdin, ch) => {
      expect(stdin.equals(bytes)).toBe(true);
      const text = Buffer.from('✓ok');
      ch.emit('data', text.subarray(0, 1));
      ch.emit('data', text.subarray(1));
      ch.finish(0);
    });
    await expect(connector.exec('cat >/dev/null', { stdin: bytes })).resolves.toMatchObject({ stdout: '✓ok' });
  });

  it('reports a signal as 128 + its number', async () => {
    const { connector } = session((_, __, ch) => ch.finish(null, '', '', 'KILL'));
    await expect(connector.exec('sleep 9')).resolves.toMatchObject({ code: 137, signal: 'KILL' });
  });

  it('times out: the device-side timeout wraps the command, the call throws E_REMOTE_COMMAND without waiting', async () => {
    const { client, connector } = session(() => undefined);
    const started = Date.now();
    await expect(connector.exec('sleep 60', { timeoutMs: 50, become: true })).rejects.toMatchObject({ code: 'E_REMOTE_COMMAND', message: expect.stringContaining('sleep 60 failed on kitchen (deploy@10.0.0.21:22): timed out after 50 ms') });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(client.commands).toEqual([`sudo -n -- timeout -k 2 0.05 sh -c 'sleep 60'`]);
  });

  it('says so when a time limit is asked of a device without the timeout command', async () => {
    const { connector } = session((_, __, ch) => ch.finish(127, '', 'sh: 1: timeout: not found\n'));
    await expect(connector.exec('uptime', { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'E_REMOTE_COMMAND', message: expect.stringContaining('lacks') });
    const plain = session((_, __, ch) => ch.finish(127, '', 'sh: 1: timeout: not found\n'));
    await expect(plain.connector.exec('timeout')).resolves.toMatchObject({ code: 127 });
  });

  it('turns a dropped connection into E_SSH_UNREACHABLE', async () => {
    const { client, connector } = session((_, __, ch) => {
      client.emit('error', new Error('Keepalive timeout'));
      ch.emit('close');
    });
    await expect(connector.exec('uptime')).rejects.toMatchObject({ code: 'E_SSH_UNREACHABLE', message: expect.stringContaining('was lost: Keepalive timeout') });
    await expect(connector.exec('uptime')).rejects.toMatchObject({ code: 'E_SSH_UNREACHABLE' });
  });

  it('runs at most 8 channels at once and queues the rest', async () => {
    let open = 0;
    let peak = 0;
    const { connector } = session((_, __, ch) => {
      peak = Math.max(peak, ++open);
      setTimeout(() => {
        open--;
        ch.finish(0);
      }, 5);
    });
    await Promise.all(Array.from({ length: 20 }, () => connector.exec('true')));
    expect(peak).toBe(8);
  });
});

describe('putFile', () => {
  it('streams the content through one exec with its size, as root via sudo', async () => {
    const { client, connector } = session((command, stdin, ch) => {
      expect(stdin.toString()).toBe('{"a":1}\n');
      ch.finish(0);
    });
    await connector.putFile('/etc/lanmcp-edge/config.json', '{"a":1}\n', { mode: 0o600, become: true });
    const command = client.commands[0]!;
    expect(command.startsWith('sudo -n -- sh -c ')).toBe(true);
    expect(command).toContain('p=/etc/lanmcp-edge/config.json');
    expect(command).toContain('[ "$n" = 8 ]');
    expect(command).toContain('chown 0:0 "$t"');
    expect(command).toContain('chmod 0600 "$t"');
  });

  it('throws E_REMOTE_COMMAND with the device and stderr on failure', async () => {
    const { connector } = session((_, __, ch) => ch.finish(3, '', 'lanmcp: directory /opt/nope does not exist\n'));
    await expect(connector.putFile('/opt/nope/x', 'x', { mode: 0o644 })).rejects.toMatchObject({
      code: 'E_REMOTE_COMMAND',
      message: 'writing /opt/nope/x failed on kitchen (deploy@10.0.0.21:22): exit code 3: lanmcp: directory /opt/nope does not exist',
    });
  });

  it('throws E_SUDO_PASSWORD rather than a generic failure when sudo refuses', async () => {
    const { connector } = session((_, __, ch) => ch.finish(1, '', 'sudo: a password is required\n'));
    await expect(connector.putFile('/etc/x', 'x', { mode: 0o644, become: true })).rejects.toMatchObject({ code: 'E_SUDO_PASSWORD' });
  });
});

describe('close', () => {
  it('ends the connection once, and later calls fail clearly', async () => {
    const { client, connector } = session((_, __, ch) => ch.finish(0));
    await connector.close();
    await connector.close();
    expect(client.ended).toBe(true);
    await expect(connector.exec('true')).rejects.toThrow(/already closed by lanmcp/);
  });
});
