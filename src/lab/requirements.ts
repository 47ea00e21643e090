import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { labStepFailed, runCommand } from './run.js';

/** What the lab needs on the host, each tool with the Debian package that provides it. */
export const LAB_TOOLS: ReadonlyArray<{ tool: string; pkg: string }> = [
  { tool: 'debootstrap', pkg: 'debootstrap' },
  { tool: 'systemd-nspawn', pkg: 'systemd-container' },
  { tool: 'ip', pkg: 'iproute2' },
  { tool: 'ssh-keygen', pkg: 'openssh-client' },
  { tool: 'ssh', pkg: 'openssh-client' },
  { tool: 'nsenter', pkg: 'util-linux' },
  { tool: 'mount', pkg: 'mount' },
  { tool: 'chroot', pkg: 'coreutils' },
];
const KEYRING = { path: '/usr/share/keyrings/debian-archive-keyring.gpg', pkg: 'debian-archive-keyring' };

/** What was found on the host. */
export interface HostFacts {
  uid: number;
  /** /etc/os-release as text, '' when absent. */
  osRelease: string;
  hasAptGet: boolean;
  missingTools: string[];
  hasKeyring: boolean;
}

/** Missing things nothing can fix here (each one a sentence), and the packages to install for the rest. */
export function planRequirements(facts: HostFacts): { missing: string[]; install: string[] } {
  const missing: string[] = [];
  if (facts.uid !== 0) missing.push(`root (running as uid ${facts.uid}; run it with sudo)`);
  const os = parseOsRelease(facts.osRelease);
  const debianLike = [os.ID, ...(os.ID_LIKE ?? '').split(' ')].some((id) => id === 'debian' || id === 'ubuntu');
  if (!debianLike || !facts.hasAptGet) {
    const found = os.PRETTY_NAME ?? os.ID ?? 'no /etc/os-release';
    missing.push(`a Debian or Ubuntu host with apt-get (found: ${found}${facts.hasAptGet ? '' : ', no apt-get'})`);
  }
  const packages = LAB_TOOLS.filter((t) => facts.missingTools.includes(t.tool)).map((t) => t.pkg);
  if (!facts.hasKeyring) packages.push(KEYRING.pkg);
  const install = [...new Set(packages)];
  if (missing.length > 0 && install.length > 0) {
    const tools = facts.missingTools.map((tool) => `${tool} (${LAB_TOOLS.find((t) => t.tool === tool)?.pkg})`);
    missing.push(`these tools: ${[...tools, ...(facts.hasKeyring ? [] : [`${KEYRING.path} (${KEYRING.pkg})`])].join(', ')}`);
  }
  return { missing, install };
}

/** KEY=value pairs of an os-release text, quotes removed. */
export function parseOsRelease(text: string): Record<string, string | undefined> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) fields[match[1]] = (match[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return fields;
}

/** Reads the host facts the lab depends on. */
export async function gatherHostFacts(env: NodeJS.ProcessEnv): Promise<HostFacts> {
  const path = env.PATH ?? '';
  const onPath = (tool: string) => [...path.split(delimiter), '/usr/sbin', '/sbin'].some((dir) => dir !== '' && existsSync(join(dir, tool)));
  return {
    uid: process.getuid?.() ?? -1,
    osRelease: await readFile('/etc/os-release', 'utf8').catch(() => ''),
    hasAptGet: onPath('apt-get'),
    missingTools: LAB_TOOLS.map((t) => t.tool).filter((tool) => !onPath(tool)),
    hasKeyring: existsSync(KEYRING.path),
  };
}

/**
 * Throws E_LAB_REQUIREMENTS naming everything missing that lanmcp cannot fix (root, a Debian/Ubuntu host);
 * installs missing packages with apt-get when it can.
 */
export async function ensureLabRequirements(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const { missing, install } = planRequirements(await gatherHostFacts(env));
  if (missing.length > 0) {
    throw new LanmcpError('E_LAB_REQUIREMENTS', `the lab needs ${missing.join('; ')}`, {
      hint: 'the lab boots Debian devices with systemd-nspawn: run it as root on a Debian or Ubuntu machine or VM',
    });
  }
  if (install.length === 0) return;
  log(`installing ${install.join(' ')} (apt-get) ...`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await runCommand(['apt-get', 'update'], { env: aptEnv, timeoutMs: 5 * 60_000 });
    await runCommand(['apt-get', 'install', '-y', '--no-install-recommends', ...install], { env: aptEnv, timeoutMs: 10 * 60_000 });
  } catch (cause) {
    throw labStepFailed(`installing ${install.join(' ')}`, cause, `install them yourself: apt-get install ${install.join(' ')}`);
  }
}

/** Throws E_LAB_REQUIREMENTS unless running as root (every lab command changes host networking or mounts). */
export function requireRoot(action: string): void {
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) return;
  throw new LanmcpError('E_LAB_REQUIREMENTS', `${action} needs root (running as uid ${uid})`, { hint: 'run it with sudo' });
}
