import { describe, expect, it } from 'vitest';
import { parseMountPoints, parseMountSource } from '../../../src/lab/mounts.js';
import { parseProcStat } from '../../../src/lab/processes.js';
import { planRequirements, type HostFacts } from '../../../src/lab/requirements.js';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const ready: HostFacts = { uid: 0, osRelease: DEBIAN, hasAptGet: true, missingTools: [], hasKeyring: true };

describe('planRequirements', () => {
  it('needs nothing on a ready Debian host as root', () => {
    expect(planRequirements(ready)).toEqual({ missing: [], install: [] });
  });

  it('installs debootstrap and systemd-container when root on Debian or Ubuntu', () => {
    const facts = { ...ready, osRelease: 'ID=ubuntu\nID_LIKE=debian\n', missingTools: ['debootstrap', 'systemd-nspawn'], hasKeyring: false };
    expect(planRequirements(facts)).toEqual({ missing: [], install: ['debootstrap', 'systemd-container', 'debian-archive-keyring'] });
  });

  it('names everything missing when it cannot fix it: not root, not Debian, tools absent', () => {
    const facts = { uid: 1000, osRelease: 'PRETTY_NAME="Fedora Linux 40"\nID=fedora\n', hasAptGet: false, missingTools: ['debootstrap'], hasKeyring: true };
    const { missing } = planRequirements(facts);
    expect(missing).toEqual([
      'root (running as uid 1000; run it with sudo)',
      'a Debian or Ubuntu host with apt-get (found: Fedora Linux 40, no apt-get)',
      'these tools: debootstrap (debootstrap)',
    ]);
  });
});

describe('/proc parsing', () => {
  it('reads state and parent from a stat line whose command holds spaces and parentheses', () => {
    expect(parseProcStat('4242 (my (odd) cmd) Z 1 4242 4242 0 -1')).toEqual({ state: 'Z', ppid: 1 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('decodes octal escapes in mountinfo mount points', () => {
    const text = '36 35 0:32 / /var/lib/lanmcp-lab/a\\040b/root rw,relatime - overlay overlay rw\n';
    expect(parseMountPoints(text)).toEqual(['/var/lib/lanmcp-lab/a b/root']);
  });

  it('names the source of the topmost mount at a point, and none where nothing is mounted', () => {
    const text = [
      '30 1 0:26 / /run/systemd/nspawn rw,relatime shared:9 - tmpfs tmpfs rw',
      '31 30 0:27 / /run/systemd/nspawn rw,relatime shared:10 - tmpfs lanmcp-nspawn rw,mode=755',
      '32 1 0:28 / /run/systemd/nspawn/propagate rw - tmpfs other rw',
    ].join('\n');
    expect(parseMountSource(text, '/run/systemd/nspawn')).toBe('lanmcp-nspawn');
    expect(parseMountSource(text, '/run')).toBeUndefined();
  });
});
