import { readFile } from 'node:fs/promises';

/**
 * Process liveness read from /proc/PID/stat. On this kind of machine PID 1 reaps orphans late: a killed
 * process stays a zombie for seconds and `kill -0` still succeeds, so a zombie counts as gone here.
 */

/** The state letter (R, S, Z, ...) and parent of a /proc/PID/stat line; the command name may hold spaces. */
export function parseProcStat(text: string): { state: string; ppid: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const [state, ppid] = text.slice(close + 2).split(' ');
  if (state === undefined || ppid === undefined) return undefined;
  return { state, ppid: Number(ppid) };
}

/** True while `pid` exists and is neither a zombie nor dead. */
export async function isRunning(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const stat = text === undefined ? undefined : parseProcStat(text);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Waits until none of `pids` runs; returns those still running at the deadline. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = [...pids];
  for (;;) {
    left = (await Promise.all(left.map(async (pid) => ((await isRunning(pid)) ? [pid] : [])))).flat();
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(25);
  }
}

/** Direct children of `pid` (all its threads' children). */
export async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter((word) => word.trim() !== '').map(Number);
}

/** Sends `signal`, ignoring a process that is already gone. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
