import { readFile } from 'node:fs/promises';
import { runCommand } from './run.js';

/** Mount points listed in a /proc/PID/mountinfo text (field 5, with its octal escapes decoded). */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo.split('\n').flatMap((line) => {
    const field = line.split(' ')[4];
    return field === undefined ? [] : [field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))];
  });
}

/** Mount points at or below `dir` in this mount namespace, deepest first (the order to unmount them). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = dir.replace(/\/+$/, '');
  const points = parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
  const under = points.filter((point) => point === prefix || point.startsWith(`${prefix}/`));
  return [...new Set(under)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`; a busy mount is detached lazily rather than left behind. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    const result = await runCommand(['umount', point], { allowFailure: true });
    if (result.code !== 0) await runCommand(['umount', '--lazy', point]);
  }
}

/** Whether `dir` is itself a mount point of filesystem type `type`. */
export async function isMountedAs(dir: string, type: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((line) => {
    const [before, after] = line.split(' - ');
    return before?.split(' ')[4] === dir && after?.split(' ')[0] === type;
  });
}

/** The source of the filesystem mounted at `dir` itself (what `mount` shows first), or undefined. */
export async function mountSource(dir: string): Promise<string | undefined> {
  return parseMountSource(await readFile('/proc/self/mountinfo', 'utf8'), dir);
}

/** The source field of the topmost mount at `dir` in a mountinfo text. */
export function parseMountSource(mountinfo: string, dir: string): string | undefined {
  let source: string | undefined;
  // Later lines are mounted over earlier ones at the same point: the last one is what `dir` shows.
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before?.split(' ')[4] === dir) source = after?.split(' ')[1];
  }
  return source;
}
