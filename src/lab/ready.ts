import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { LanmcpError } from '../shared/errors.js';
import { runningSupervisor } from './boot.js';
import type { DevicePaths } from './device.js';
import { sleep } from './processes.js';

/** Resolves true when `address:22` sends an SSH banner within `timeoutMs`. */
export function sshBanner(address: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    let received = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/**
 * Waits until the device's sshd answers, failing fast (with the console's last lines) when its
 * supervisor has died, and with E_LAB_FAILED at the deadline.
 */
export async function waitForSsh(device: string, address: string, paths: DevicePaths, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await sshBanner(address, 1000)) return;
    if ((await runningSupervisor(paths)) === undefined) {
      throw new LanmcpError('E_LAB_FAILED', `device ${device} stopped while booting:\n${await consoleTail(paths)}`, {
        hint: `its console log is ${paths.console}`,
      });
    }
    await sleep(50);
  }
  throw new LanmcpError('E_LAB_FAILED', `device ${device} (${address}) did not answer SSH within ${timeoutMs / 1000} s:\n${await consoleTail(paths)}`, {
    hint: `its console log is ${paths.console}`,
  });
}

async function consoleTail(paths: DevicePaths): Promise<string> {
  const text = await readFile(paths.console, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-12).map((line) => `    ${line}`).join('\n');
}
