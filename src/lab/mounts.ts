import { readFile } from 'node:fs/promises';
import { runCommand } from './run.js';

/** One mountinfo line: mount point (field 5, octal escapes decoded), then type and source after ` - `. */
interface MountEntry { point: string; type: string | undefined; source: string | undefined }

function parseMountInfo(mountinfo: string): MountEntry[] {
  return mountinfo.split('\n').flatMap((line) => {
    const [before, after] = line.split(' - ');
    const field = before?.split(' ')[4];
    if (field === undefined) return [];
    const [type, source] = after?.split(' ') ?? [];
    return [{ point: field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))), type, source }];
  });
}

/** Mount points listed in a /proc/PID/mountinfo text. */
export function parseMountPoints(mountinfo: string): string[] {
  return parseMountInfo(mountinfo).map((entry) => entry.point);
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
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')).some((entry) => entry.point === dir && entry.type === type);
}

/** The source of the filesystem mounted at `dir` itself (what `mount` shows first), or undefined. */
export async function mountSource(dir: string): Promise<string | undefined> {
  return parseMountSource(await readFile('/proc/self/mountinfo', 'utf8'), dir);
}

/** The source of the topmost mount at `dir`: later lines are mounted over earlier ones at the same point. */
export function parseMountSource(mountinfo: string, dir: string): string | undefined {
  return parseMountInfo(mountinfo).filter((entry) => entry.point === dir).at(-1)?.source;
}
