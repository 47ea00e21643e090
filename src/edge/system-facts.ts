import type { SystemFacts } from './system.js';

/** system_info's answer, parsed from raw SystemFacts (pure, so fixtures test it). */
export interface SystemInfo {
  hostname: string;
  os: { pretty_name: string; id: string; version_id: string };
  kernel: string;
  arch: string;
  uptime_s: number;
  load: { '1m': number; '5m': number; '15m': number };
  memory: { total_bytes: number; available_bytes: number; free_bytes: number; swap_total_bytes: number; swap_free_bytes: number };
  disks: { mount: string; filesystem: string; type: string; size_bytes: number; used_bytes: number; available_bytes: number }[];
  cpu_temperature_c: number | null;
  node_version: string;
}

/** KEY=value lines of /etc/os-release, with quotes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** /proc/meminfo in bytes per key. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (line.includes('kB') ? 1024 : 1);
  }
  return out;
}

/** `df -P -B1 -T` rows, without pseudo filesystems nobody asks about. */
export function parseDf(text: string): SystemInfo['disks'] {
  const pseudo = new Set(['tmpfs', 'devtmpfs', 'proc', 'sysfs', 'overlay', 'squashfs', 'efivarfs', 'ramfs']);
  return text.split('\n').slice(1).flatMap((line) => {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 7 || pseudo.has(cols[1]!)) return [];
    const [filesystem, type, size, used, available, , ...mount] = cols;
    return [{ mount: mount.join(' '), filesystem: filesystem!, type: type!, size_bytes: Number(size), used_bytes: Number(used), available_bytes: Number(available) }];
  });
}

export function parseSystemInfo(facts: SystemFacts): SystemInfo {
  const os = parseOsRelease(facts.osRelease);
  const mem = parseMeminfo(facts.meminfo);
  const temps = facts.thermalMilliC.filter((t) => Number.isFinite(t) && t > -50_000);
  return {
    hostname: facts.hostname,
    os: { pretty_name: os.PRETTY_NAME ?? 'unknown', id: os.ID ?? 'unknown', version_id: os.VERSION_ID ?? '' },
    kernel: facts.kernel,
    arch: facts.arch,
    uptime_s: Math.round(facts.uptimeS),
    load: { '1m': facts.loadavg[0] ?? 0, '5m': facts.loadavg[1] ?? 0, '15m': facts.loadavg[2] ?? 0 },
    memory: {
      total_bytes: mem.MemTotal ?? 0, available_bytes: mem.MemAvailable ?? mem.MemFree ?? 0, free_bytes: mem.MemFree ?? 0,
      swap_total_bytes: mem.SwapTotal ?? 0, swap_free_bytes: mem.SwapFree ?? 0,
    },
    disks: facts.df === undefined ? [] : parseDf(facts.df),
    cpu_temperature_c: temps.length === 0 ? null : Math.round(Math.max(...temps) / 100) / 10,
    node_version: facts.nodeVersion,
  };
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;

/** The readable form of SystemInfo. */
export function renderSystemInfo(info: SystemInfo): string {
  const lines = [
    `${info.hostname}: ${info.os.pretty_name}, kernel ${info.kernel} (${info.arch}), Node ${info.node_version}`,
    `uptime ${Math.floor(info.uptime_s / 86400)}d ${Math.floor((info.uptime_s % 86400) / 3600)}h, load ${info.load['1m']} ${info.load['5m']} ${info.load['15m']}`,
    `memory ${gib(info.memory.available_bytes)} available of ${gib(info.memory.total_bytes)}`,
    ...info.disks.map((d) => `disk ${d.mount} (${d.type}): ${gib(d.available_bytes)} free of ${gib(d.size_bytes)}`),
  ];
  if (info.cpu_temperature_c !== null) lines.push(`CPU temperature ${info.cpu_temperature_c} °C`);
  return lines.join('\n');
}
