import { posix } from 'node:path';
import type { DirEntry, RunRequest, RunResult, System, SystemFacts } from '../../../src/edge/system.js';

type Node = { type: 'file'; data: Buffer; mode: number } | { type: 'dir' } | { type: 'symlink'; target: string };

/** A System whose files live in a Map and whose commands are answered by a handler: fast, deterministic. */
export interface FakeSystem extends System {
  logs: string[];
  runs: RunRequest[];
  nodes: Map<string, Node>;
  /** Answers run(); the default echoes the argv on stdout with exit 0. */
  onRun: (request: RunRequest) => Partial<RunResult> | Promise<Partial<RunResult>>;
  auditEntries(): Record<string, unknown>[];
}

const errno = (code: string, path: string) => Object.assign(new Error(`${code}: ${path}`), { code });

export const FAKE_FACTS: SystemFacts = {
  hostname: 'kitchen-pi',
  osRelease: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  kernel: '6.1.0-rpi7-rpi-v8', arch: 'arm64', uptimeS: 93_784.5, loadavg: [0.5, 0.25, 0.125],
  meminfo: 'MemTotal:        3884096 kB\nMemFree:          123456 kB\nMemAvailable:    2000000 kB\nSwapTotal:        102396 kB\nSwapFree:         102396 kB\n',
  df: 'Filesystem     Type     1-blocks       Used   Available Capacity Mounted on\n/dev/mmcblk0p2 ext4  31000000000 5000000000 24000000000      18% /\ntmpfs          tmpfs     1000000          0     1000000       0% /run\n/dev/mmcblk0p1 vfat    536000000   60000000   476000000      12% /boot/firmware\n',
  thermalMilliC: [48_312], nodeVersion: 'v18.19.0', addresses: ['10.0.0.21'],
};

export function createFakeSystem(files: Record<string, string | Node> = {}): FakeSystem {
  const nodes = new Map<string, Node>([['/', { type: 'dir' }]]);
  const addParents = (path: string) => {
    for (let d = posix.dirname(path); d !== '/'; d = posix.dirname(d)) if (!nodes.has(d)) nodes.set(d, { type: 'dir' });
  };
  for (const [path, value] of Object.entries(files)) {
    addParents(path);
    nodes.set(path, typeof value === 'string' ? { type: 'file', data: Buffer.from(value), mode: 0o644 } : value);
  }
  let clock = 1000;
  const fake: FakeSystem = {
    logs: [], runs: [], nodes,
    onRun: (request) => ({ stdout: `${[request.file, ...request.args].join(' ')}\n` }),
    async run(request) {
      fake.runs.push(request);
      const partial = await fake.onRun(request);
      const stdout = partial.stdout ?? '';
      const stderr = partial.stderr ?? '';
      return {
        exitCode: 0, signal: null, stdout, stderr, stdoutBytes: Buffer.byteLength(stdout), stderrBytes: Buffer.byteLength(stderr),
        stdoutTruncated: false, stderrTruncated: false, durationMs: 3, timedOut: false, ...partial,
      };
    },
    async readFile(path, offset, length) {
      const node = nodes.get(await fake.realpath(path));
      if (!node) throw errno('ENOENT', path);
      if (node.type !== 'file') throw errno('EISDIR', path);
      return { size: node.data.length, data: node.data.subarray(offset, offset + length) };
    },
    async writeFileAtomic(path, data, options) {
      const parent = nodes.get(posix.dirname(path));
      if (!parent && !options.createDirs) throw errno('ENOENT', path);
      if (nodes.get(path)?.type === 'dir') throw errno('EISDIR', path);
      addParents(path);
      const old = nodes.get(path);
      nodes.set(path, { type: 'file', data, mode: options.mode ?? (old?.type === 'file' ? old.mode : 0o644) });
    },
    async listDir(path) {
      if (nodes.get(path)?.type !== 'dir') throw errno(nodes.has(path) ? 'ENOTDIR' : 'ENOENT', path);
      const prefix = path === '/' ? '/' : `${path}/`;
      return [...nodes.entries()]
        .filter(([p]) => p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map(([p, n]): DirEntry => ({
          name: p.slice(prefix.length), type: n.type === 'symlink' ? 'symlink' : n.type,
          size: n.type === 'file' ? n.data.length : 0, mode: n.type === 'file' ? `0${n.mode.toString(8)}` : '0755', mtime: '2024-05-01T10:00:00.000Z',
        }));
    },
    async realpath(path) {
      let resolved = '/';
      for (const part of posix.resolve('/', path).split('/').filter(Boolean)) {
        const next = posix.join(resolved, part);
        const node = nodes.get(next);
        if (!node) throw errno('ENOENT', path);
        resolved = node.type === 'symlink' ? await fake.realpath(posix.resolve(resolved, node.target)) : next;
      }
      return resolved;
    },
    async facts() {
      return FAKE_FACTS;
    },
    log(line) {
      fake.logs.push(line);
    },
    now() {
      return (clock += 5);
    },
    auditEntries() {
      return fake.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.edge === 'call');
    },
  };
  return fake;
}
