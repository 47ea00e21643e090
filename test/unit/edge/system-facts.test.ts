import { describe, expect, it } from 'vitest';
import { parseDf, parseMeminfo, parseOsRelease, parseSystemInfo, renderSystemInfo } from '../../../src/edge/system-facts.js';
import { FAKE_FACTS } from './fake-system.js';

describe('system facts parsing', () => {
  it('parses os-release, meminfo and df, dropping pseudo filesystems', () => {
    expect(parseOsRelease(FAKE_FACTS.osRelease)).toEqual({ PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', ID: 'debian', VERSION_ID: '12' });
    expect(parseMeminfo(FAKE_FACTS.meminfo).MemAvailable).toBe(2_000_000 * 1024);
    expect(parseDf(FAKE_FACTS.df!).map((d) => d.mount)).toEqual(['/', '/boot/firmware']);
  });

  it('builds the system_info answer, with the hottest thermal zone in °C', () => {
    const info = parseSystemInfo({ ...FAKE_FACTS, thermalMilliC: [41_000, 48_312] });
    expect(info).toMatchObject({
      hostname: 'kitchen-pi', os: { pretty_name: 'Debian GNU/Linux 12 (bookworm)', id: 'debian', version_id: '12' },
      arch: 'arm64', uptime_s: 93_785, load: { '1m': 0.5, '5m': 0.25, '15m': 0.125 }, cpu_temperature_c: 48.3, node_version: 'v18.19.0',
    });
    expect(info.disks[0]).toEqual({ mount: '/', filesystem: '/dev/mmcblk0p2', type: 'ext4', size_bytes: 31e9, used_bytes: 5e9, available_bytes: 24e9 });
    expect(renderSystemInfo(info)).toContain('CPU temperature 48.3 °C');
  });

  it('reports no temperature and no disks when the device has none', () => {
    const info = parseSystemInfo({ ...FAKE_FACTS, thermalMilliC: [], df: undefined });
    expect(info.cpu_temperature_c).toBeNull();
    expect(info.disks).toEqual([]);
  });
});
