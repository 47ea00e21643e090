import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/remote/connector.js';
import { connectSsh, type SshTarget } from '../../src/remote/ssh.js';
import { deviceExec, freshDevice, getLab, labDevice, sshArgs } from './lab-helpers.js';

// The SSH layer against real sshd/sudo on lab devices: users root, deploy (NOPASSWD sudo), pwsudo
// (sudo wants a password). Everything lanmcp records goes into a temp folder removed at the end.
const A = 'lab1';
const B = 'lab2';
const work = mkdtempSync(join(tmpdir(), 'lanmcp-remote-ssh-'));
const open: Connector[] = [];

function target(device: string, user: string, overrides: Partial<SshTarget> = {}): SshTarget {
  const lab = getLab();
  return {
    name: device,
    host: labDevice(device).address,
    port: 22,
    user,
    identityFile: lab.ssh_key,
    knownHostsFiles: [lab.known_hosts],
    recordHostKeysTo: join(work, 'never-written', 'known_hosts'),
    acceptNewHostKeys: false,
    become: 'sudo',
    connectTimeoutS: 5,
    useSshConfig: false,
    ...overrides,
  };
}

async function connect(t: SshTarget): Promise<Connector> {
  const connector = await connectSsh(t);
  open.push(connector);
  return connector;
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string; ms: number }> {
  const started = Date.now();
  const error = await promise.then(() => new Error('expected a failure, it succeeded'), (e: unknown) => e as Error);
  return { ...(error as { code?: string; hint?: string }), message: error.message, ms: Date.now() - started };
}

/** The device's host key fingerprint as its own ssh-keygen prints it. */
async function deviceFingerprint(device: string): Promise<string> {
  const r = await deviceExec(device, 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  return r.stdout.split(' ')[1]!;
}

/** known_hosts lines of the lab for one device's address only. */
function knownHostsOf(device: string): string {
  const address = labDevice(device).address;
  return readFileSync(getLab().known_hosts, 'utf8').split('\n').filter((l) => l.split(' ')[0]!.split(',').includes(address)).join('\n');
}

beforeAll(async () => {
  await Promise.all([A, B].map(freshDevice));
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  rmSync(work, { recursive: true, force: true });
});

describe('connecting and become', () => {
  it('connects as root and reuses the one connection for every command', async () => {
    const started = Date.now();
    const root = await connect(target(A, 'root'));
    const connectMs = Date.now() - started;
    expect(root.label).toBe(`${A} (root@${labDevice(A).address}:22)`);
    expect(await root.exec('whoami')).toEqual({ code: 0, stdout: 'root\n', stderr: '' });
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) expect((await root.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
    const perExecMs = (Date.now() - t0) / 20;
    // One TCP connection from us to sshd for all of them.
    const sessions = await deviceExec(A, "ss -tnH state established '( sport = :22 )' | wc -l");
    expect(Number(sessions.stdout.trim())).toBe(1);
    process.stderr.write(`[remote-ssh] connect ${connectMs} ms, exec round trip ${perExecMs.toFixed(1)} ms on one connection\n`);
  });

  it('as deploy with become: sudo -n runs the command as root; without become as deploy', async () => {
    const deploy = await connect(target(A, 'deploy'));
    expect((await deploy.exec('whoami', { become: true })).stdout).toBe('root\n');
    expect((await deploy.exec('whoami')).stdout).toBe('deploy\n');
    const quoted = await deploy.exec(`printf '%s' "it's $(id -u)"`, { become: true });
    expect(quoted.stdout).toBe("it's 0");
    expect(await deploy.exec('exit 7', { become: true })).toMatchObject({ code: 7 });
  });

  it('pwsudo with become fails fast with E_SUDO_PASSWORD, never hangs', async () => {
    const pwsudo = await connect(target(A, 'pwsudo'));
    const error = await failure(pwsudo.exec('whoami', { become: true }));
    expect(error).toMatchObject({ code: 'E_SUDO_PASSWORD', message: expect.stringContaining(`${A} (pwsudo@${labDevice(A).address}:22)`) });
    expect(error.hint).toContain('give pwsudo passwordless sudo for lanmcp (NOPASSWD) or use become: none with user root');
    expect(error.ms).toBeLessThan(10_000);
    const put = await failure(pwsudo.putFile('/etc/lanmcp-pw', 'x', { mode: 0o644, become: true }));
    expect(put).toMatchObject({ code: 'E_SUDO_PASSWORD' });
    expect(put.ms).toBeLessThan(10_000);
    expect((await pwsudo.exec('whoami')).stdout).toBe('pwsudo\n');
  });

  it('a command over its timeout is stopped and the call throws E_REMOTE_COMMAND; the connection stays usable', async () => {
    const deploy = await connect(target(A, 'deploy'));
    const error = await failure(deploy.exec('sleep 41.5 & sleep 41.5; echo never', { become: true, timeoutMs: 500 }));
    expect(error).toMatchObject({ code: 'E_REMOTE_COMMAND', message: expect.stringContaining('timed out after 500 ms') });
    expect(error.ms).toBeLessThan(10_000);
    expect((await deploy.exec('echo still here')).stdout).toBe('still here\n');
    let left = '';
    for (let i = 0; i < 50; i++) {
      left = (await deviceExec(A, 'pgrep -f "^sleep 41.5" || true')).stdout.trim();
      if (left === '') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe('');
  });

  it('close ends the connection; a closed connector refuses more work', async () => {
    const root = await connectSsh(target(A, 'root'));
    await root.close();
    await expect(root.exec('true')).rejects.toThrow(/already closed/);
  });
});

describe('failures while connecting', () => {
  it('an unused address on the lab subnet → E_SSH_UNREACHABLE within the connect timeout', async () => {
    const unused = labDevice(A).address.replace(/\.\d+$/, '.250');
    const error = await failure(connectSsh(target(A, 'root', { host: unused, connectTimeoutS: 2 })));
    expect(error).toMatchObject({ code: 'E_SSH_UNREACHABLE', message: expect.stringContaining(`${A} (root@${unused}:22) is unreachable`) });
    expect(error.ms).toBeLessThan(10_000);
    process.stderr.write(`[remote-ssh] unreachable reported after ${error.ms} ms (timeout 2 s): ${error.message}\n`);
  });

  it('a closed port → E_SSH_UNREACHABLE at once (connection refused)', async () => {
    const error = await failure(connectSsh(target(A, 'root', { port: 2 })));
    expect(error).toMatchObject({ code: 'E_SSH_UNREACHABLE', message: expect.stringContaining('connection refused') });
    expect(error.ms).toBeLessThan(10_000);
  });

  it('a key the device does not accept → E_SSH_AUTH naming the key tried', async () => {
    const key = join(work, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const error = await failure(connectSsh(target(A, 'deploy', { identityFile: key })));
    expect(error).toMatchObject({ code: 'E_SSH_AUTH', message: `SSH authentication failed for ${A} (deploy@${labDevice(A).address}:22)` });
    expect(error.hint).toContain(`tried ${key}`);
  });
});

describe('keys from ssh-agent', () => {
  let agent: ChildProcess | undefined;
  const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
  afterAll(async () => {
    process.env.HOME = saved.HOME;
    if (saved.SSH_AUTH_SOCK === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved.SSH_AUTH_SOCK;
    if (agent?.exitCode === null) {
      agent.kill('SIGTERM');
      await once(agent, 'exit');
    }
  });

  it('a passphrase-protected key is skipped with a hint, and works once it is in ssh-agent', async () => {
    // A HOME without ~/.ssh keys, so only the agent can supply the key.
    const home = join(work, 'agent-home');
    execFileSync('mkdir', ['-p', home]);
    process.env.HOME = home;
    const encrypted = join(work, 'encrypted_key');
    execFileSync('cp', [getLab().ssh_key, encrypted]);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'secret words', '-f', encrypted]);
    delete process.env.SSH_AUTH_SOCK;
    const refused = await failure(connectSsh(target(A, 'deploy', { identityFile: encrypted })));
    expect(refused).toMatchObject({ code: 'E_SSH_AUTH' });
    expect(refused.hint).toContain(`${encrypted} is passphrase-protected; lanmcp does not prompt — add it to ssh-agent (ssh-add ${encrypted})`);

    const socket = join(work, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    const askpass = join(work, 'askpass.sh');
    writeFileSync(askpass, "#!/bin/sh\necho 'secret words'\n", { mode: 0o700 });
    execFileSync('ssh-add', ['-q', encrypted], { env: { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, stdio: 'ignore' });
    process.env.SSH_AUTH_SOCK = socket;
    const viaAgent = await connect(target(A, 'deploy', { identityFile: undefined }));
    expect((await viaAgent.exec('whoami', { become: true })).stdout).toBe('root\n');
  });
});

describe('host keys', () => {
  it('an unknown key is refused with its fingerprint, and nothing is recorded', async () => {
    const empty = join(work, 'empty_known_hosts');
    writeFileSync(empty, '');
    const record = join(work, 'refused', 'known_hosts');
    const error = await failure(connectSsh(target(A, 'root', { knownHostsFiles: [empty], recordHostKeysTo: record })));
    const fingerprint = await deviceFingerprint(A);
    expect(error).toMatchObject({ code: 'E_SSH_HOSTKEY_UNKNOWN', message: expect.stringContaining(fingerprint) });
    expect(error.hint).toContain(`verify the fingerprint ${fingerprint}`);
    expect(error.hint).toContain('--accept-new-host-keys');
    expect(() => statSync(record)).toThrow();
  });

  it('--accept-new-host-keys records it (0600 in a 0700 folder) in a form OpenSSH accepts', async () => {
    const record = join(work, 'state', '.lanmcp', 'known_hosts');
    const first = await connect(target(A, 'root', { knownHostsFiles: [record], recordHostKeysTo: record, acceptNewHostKeys: true }));
    expect((await first.exec('hostname')).code).toBe(0);
    expect(statSync(record).mode & 0o777).toBe(0o600);
    expect(statSync(join(work, 'state', '.lanmcp')).mode & 0o777).toBe(0o700);
    const text = readFileSync(record, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain(`${labDevice(A).address} ssh-ed25519 `);
    // Next time the recorded key is simply known: no acceptance needed, nothing appended.
    const again = await connect(target(A, 'root', { knownHostsFiles: [record], recordHostKeysTo: record }));
    expect((await again.exec('true')).code).toBe(0);
    expect(readFileSync(record, 'utf8')).toBe(text);
    // And OpenSSH itself, strict, trusts the line lanmcp wrote.
    const args = sshArgs(A, 'root').map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${record}` : a));
    const ssh = spawnSync('ssh', [...args, 'true'], { encoding: 'utf8', timeout: 20_000 });
    expect(ssh.status, ssh.stderr).toBe(0);
  });

  it('hashed known_hosts entries (ssh-keygen -H) are honoured', async () => {
    const hashed = join(work, 'hashed_known_hosts');
    writeFileSync(hashed, `${knownHostsOf(A)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    const root = await connect(target(A, 'root', { knownHostsFiles: [hashed] }));
    expect((await root.exec('true')).code).toBe(0);
  });

  it('a key that differs from the recorded one always fails, showing both fingerprints and file:line', async () => {
    const other = join(work, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherLine = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const otherFingerprint = execFileSync('ssh-keygen', ['-lf', `${other}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    const pinned = join(work, 'pinned_known_hosts');
    writeFileSync(pinned, `# pinned\n${labDevice(A).address} ${otherLine}\n`);
    const record = join(work, 'changed', 'known_hosts');
    const error = await failure(connectSsh(target(A, 'root', { knownHostsFiles: [pinned], recordHostKeysTo: record, acceptNewHostKeys: true })));
    expect(error.code).toBe('E_SSH_HOSTKEY_CHANGED');
    expect(error.message).toContain(await deviceFingerprint(A));
    expect(error.message).toContain(`${otherFingerprint} (${pinned}:2)`);
    expect(error.hint).toContain(`delete ${pinned}:2`);
    expect(() => statSync(record)).toThrow();
  });
});

describe('putFile', () => {
  it('writes atomically as root with the mode asked for, replacing the file by rename', async () => {
    const deploy = await connect(target(A, 'deploy'));
    await deviceExec(A, 'mkdir -p /etc/lanmcp-test && echo old > /etc/lanmcp-test/config.json');
    const inodeBefore = (await deviceExec(A, 'stat -c %i /etc/lanmcp-test/config.json')).stdout.trim();
    await deploy.putFile('/etc/lanmcp-test/config.json', '{"name":"lab1"}\n', { mode: 0o600, become: true });
    expect((await deviceExec(A, 'stat -c "%a %U %G" /etc/lanmcp-test/config.json; cat /etc/lanmcp-test/config.json')).stdout).toBe('600 root root\n{"name":"lab1"}\n');
    expect((await deviceExec(A, 'stat -c %i /etc/lanmcp-test/config.json')).stdout.trim()).not.toBe(inodeBefore);
    expect((await deviceExec(A, 'ls -A /etc/lanmcp-test')).stdout).toBe('config.json\n');
  });

  it('a reader running during the write only ever sees the old or the new file, whole', async () => {
    const root = await connect(target(A, 'root'));
    const oldContent = Buffer.alloc(1 << 20, 'a');
    const newContent = Buffer.alloc(1 << 20, 'b');
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    await root.putFile('/root/big.bin', oldContent, { mode: 0o644 });
    const reader = root.exec('i=0; while [ $i -lt 150 ]; do md5sum < /root/big.bin | cut -d" " -f1; i=$((i+1)); done');
    await new Promise((r) => setTimeout(r, 50));
    await root.putFile('/root/big.bin', newContent, { mode: 0o644 });
    const seen = new Set((await reader).stdout.trim().split('\n'));
    expect([...seen].every((s) => s === md5(oldContent) || s === md5(newContent))).toBe(true);
    expect((await deviceExec(A, 'md5sum < /root/big.bin')).stdout.split(' ')[0]).toBe(md5(newContent));
  });

  it('a failing write leaves the target as it was and no temp file', async () => {
    // /tmp is sticky: deploy may create its temp file there but not rename over root's file.
    await deviceExec(A, 'echo root-owned > /tmp/lanmcp-owned && chmod 644 /tmp/lanmcp-owned');
    const deploy = await connect(target(A, 'deploy'));
    const error = await failure(deploy.putFile('/tmp/lanmcp-owned', 'replacement', { mode: 0o644 }));
    expect(error).toMatchObject({ code: 'E_REMOTE_COMMAND', message: expect.stringMatching(/writing \/tmp\/lanmcp-owned failed on lab1 \(deploy@[\d.]+:22\): exit code 1: mv: .*(Operation not permitted|Permission denied)/) });
    expect((await deviceExec(A, 'cat /tmp/lanmcp-owned; ls -A /tmp | grep -c "^.lanmcp." || true')).stdout).toBe('root-owned\n0\n');
    const missing = await failure(deploy.putFile('/opt/no-such-dir/x', 'x', { mode: 0o644, become: true }));
    expect(missing.message).toContain('directory /opt/no-such-dir does not exist');
  });

  it('round-trips binary content both ways (putFile, exec stdin and stdout)', async () => {
    const root = await connect(target(A, 'root'));
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
    await root.putFile('/root/blob.bin', bytes, { mode: 0o640 });
    const hash = createHash('sha256').update(bytes).digest('hex');
    expect((await deviceExec(A, 'sha256sum /root/blob.bin; stat -c %a /root/blob.bin')).stdout).toBe(`${hash}  /root/blob.bin\n640\n`);
    const back = await root.exec('base64 -w0 /root/blob.bin');
    expect(Buffer.from(back.stdout, 'base64').equals(bytes)).toBe(true);
    const viaStdin = await root.exec('sha256sum', { stdin: bytes });
    expect(viaStdin.stdout).toBe(`${hash}  -\n`);
  });
});

describe('ProxyJump', () => {
  function configFile(jumpUser: string): string {
    const lab = getLab();
    const file = join(work, `ssh_config_${jumpUser}`);
    writeFileSync(file, [
      'Host target-b',
      `  HostName ${labDevice(B).address}`,
      `  ProxyJump ${jumpUser}@jump-a`,
      'Host jump-a',
      `  HostName ${labDevice(A).address}`,
      `  IdentityFile ${lab.ssh_key}`,
      '',
    ].join('\n'));
    return file;
  }

  it('reaches one device through another, verifying both host keys', async () => {
    const viaA = await connect(target(B, 'deploy', { host: 'target-b', useSshConfig: true, sshConfigFile: configFile('root') }));
    expect(viaA.label).toBe(`${B} (deploy@${labDevice(B).address}:22)`);
    expect((await viaA.exec('hostname')).stdout.trim()).toBe((await deviceExec(B, 'hostname')).stdout.trim());
    // sshd on B sees the connection coming from A, not from this machine.
    const from = (await viaA.exec('echo "$SSH_CONNECTION"')).stdout.split(' ')[0];
    expect(from).toBe(labDevice(A).address);
    expect((await viaA.exec('whoami', { become: true })).stdout).toBe('root\n');
  });

  it('a device the jump host cannot reach → E_SSH_UNREACHABLE through the jump host, within the timeout', async () => {
    const unused = labDevice(A).address.replace(/\.\d+$/, '.250');
    const error = await failure(connectSsh(target(B, 'root', { host: unused, proxyJump: `root@${labDevice(A).address}`, connectTimeoutS: 2 })));
    expect(error).toMatchObject({ code: 'E_SSH_UNREACHABLE', message: expect.stringContaining(`${B} (root@${unused}:22) (through root@${labDevice(A).address}:22 (jump host for ${B})) is unreachable`) });
    expect(error.ms).toBeLessThan(10_000);
  });

  it("refuses a jump host whose key is unknown, naming the jump host", async () => {
    const onlyB = join(work, 'only_b_known_hosts');
    writeFileSync(onlyB, `${knownHostsOf(B)}\n`);
    const error = await failure(connectSsh(target(B, 'deploy', { host: 'target-b', useSshConfig: true, sshConfigFile: configFile('root'), knownHostsFiles: [onlyB] })));
    expect(error).toMatchObject({ code: 'E_SSH_HOSTKEY_UNKNOWN', message: expect.stringContaining(`root@${labDevice(A).address}:22 (jump host for ${B})`) });
  });
});
