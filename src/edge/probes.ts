import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { arch, hostname, loadavg, networkInterfaces, release, uptime } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runProcess } from './process-run.js';
import type { DirEntry, System, SystemFacts } from './system.js';

/** The real OS behind the System interface: the only edge module that touches files, processes and /proc. */
export function createSystem(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): System {
  const now = () => performance.now();
  return {
    run: (request) => runProcess(request, now),
    readFile: readRange,
    writeFileAtomic,
    listDir,
    realpath: (path) => realpath(path),
    facts: gatherFacts,
    log,
    now,
  };
}

async function readRange(path: string, offset: number, length: number): Promise<{ size: number; data: Buffer }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const want = Math.max(0, Math.min(length, size - offset));
    const data = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(data, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { size, data: data.subarray(0, got) };
  } finally {
    await handle.close();
  }
}

async function writeFileAtomic(path: string, data: Buffer, options: { mode?: number; createDirs: boolean }): Promise<void> {
  const dir = dirname(path);
  if (options.createDirs) await mkdir(dir, { recursive: true });
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  const mode = options.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
  const temp = join(dir, `.${basename(path)}.lanmcp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temp, data, { mode, flag: 'wx' });
    await chmod(temp, mode); // writeFile's mode is filtered by the umask; the caller asked for exactly this one
    const handle = await open(temp, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

async function listDir(path: string): Promise<DirEntry[]> {
  const names = await readdir(path);
  const entries = await Promise.all(names.map(async (name): Promise<DirEntry | undefined> => {
    const s = await lstat(join(path, name)).catch(() => undefined);
    if (!s) return undefined; // removed between readdir and lstat
    const type = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    return { name, type, size: s.size, mode: `0${(s.mode & 0o7777).toString(8).padStart(3, '0')}`, mtime: s.mtime.toISOString() };
  }));
  return entries.filter((e): e is DirEntry => e !== undefined);
}

async function gatherFacts(): Promise<SystemFacts> {
  const text = (path: string) => readFile(path, 'utf8').catch(() => '');
  const [osRelease, meminfo, thermalMilliC, df] = await Promise.all([
    text('/etc/os-release'), text('/proc/meminfo'), readThermal(), readDf(),
  ]);
  return {
    hostname: hostname(), osRelease, kernel: release(), arch: arch(), uptimeS: uptime(), loadavg: loadavg(), meminfo,
    ...(df === undefined ? {} : { df }), thermalMilliC, nodeVersion: process.version, addresses: deviceAddresses(),
  };
}

async function readThermal(): Promise<number[]> {
  const zones = await readdir('/sys/class/thermal').catch(() => [] as string[]);
  const values = await Promise.all(zones.filter((z) => z.startsWith('thermal_zone'))
    .map((z) => readFile(`/sys/class/thermal/${z}/temp`, 'utf8').then(Number).catch(() => Number.NaN)));
  return values.filter((v) => Number.isFinite(v));
}

async function readDf(): Promise<string | undefined> {
  const run = await runProcess({ file: 'df', args: ['-P', '-B1', '-T'], timeoutMs: 10_000, maxOutputBytes: 262_144, signal: new AbortController().signal }, () => performance.now());
  return run.stdout === '' ? undefined : run.stdout;
}

/** The device's IP addresses: Host/Origin headers naming them are not DNS rebinding. */
export function deviceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}
