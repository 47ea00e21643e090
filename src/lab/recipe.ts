import { createHash } from 'node:crypto';

/**
 * What the golden rootfs is made of. Every device of every lab is an overlay over one rootfs built from
 * this recipe; changing any field changes the hash and so triggers a rebuild into a new cache directory.
 */
export interface RootfsRecipe {
  suite: string;
  variant: string;
  include: string[];
  /** Runs as `sh -c` inside a chroot of the freshly bootstrapped tree. */
  customise: string;
}

/** Users every device has, for tests of each login path; uids are fixed so overlays can pre-seed homes. */
export const LAB_USERS = [
  { name: 'root', uid: 0, home: '/root', sudo: 'is root' },
  { name: 'deploy', uid: 1000, home: '/home/deploy', sudo: 'passwordless (NOPASSWD)' },
  { name: 'pwsudo', uid: 1001, home: '/home/pwsudo', sudo: 'needs a password (lab password: pwsudo-lab)' },
] as const;

const SSHD_DROP_IN = [
  'PermitRootLogin prohibit-password',
  'PasswordAuthentication no',
  'KbdInteractiveAuthentication no',
  'MaxStartups 100:30:200',
  'HostKey /etc/ssh/ssh_host_ed25519_key',
].join('\\n');

// Each line is one step of notes/test-lan.md's customisation; policy-rc.d keeps any maintainer script
// from starting a daemon inside the chroot (it would run on the host's network).
const CUSTOMISE = [
  'set -eu',
  "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
  'useradd --uid 1000 --create-home --shell /bin/bash --groups sudo deploy',
  'useradd --uid 1001 --create-home --shell /bin/bash pwsudo',
  "usermod -p '*' deploy",
  "echo 'pwsudo:pwsudo-lab' | chpasswd",
  "printf 'deploy ALL=(ALL:ALL) NOPASSWD: ALL\\npwsudo ALL=(ALL:ALL) ALL\\n' > /etc/sudoers.d/lanmcp-lab",
  'chmod 0440 /etc/sudoers.d/lanmcp-lab',
  'systemctl enable ssh.service',
  'systemctl mask e2scrub_reap.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer',
  `printf '${SSHD_DROP_IN}\\n' > /etc/ssh/sshd_config.d/lanmcp-lab.conf`,
  'apt-get clean',
  'rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_* /etc/hostname',
  ': > /etc/machine-id',
  ': > /etc/resolv.conf',
  'rm -f /usr/sbin/policy-rc.d',
].join('\n');

/** The recipe of the devices: Debian bookworm with systemd, sshd, sudo, Debian's nodejs 18, python3 and polkitd (service control for a run_as edge). */
export const LAB_RECIPE: RootfsRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  include: [
    'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'iproute2', 'iputils-ping', 'procps',
    'ca-certificates', 'python3', 'nodejs', 'polkitd', 'libpam-systemd',
  ],
  customise: CUSTOMISE,
};

/** First 16 hex digits of the sha256 of the recipe: names the cache directory of the rootfs it builds. */
export function recipeHash(recipe: RootfsRecipe): string {
  const canonical = JSON.stringify([recipe.suite, recipe.variant, [...recipe.include].sort(), recipe.customise]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The debootstrap argv that bootstraps `target` from `mirror`. */
export function debootstrapArgv(recipe: RootfsRecipe, target: string, mirror: string): string[] {
  return [
    'debootstrap', `--variant=${recipe.variant}`, `--include=${recipe.include.join(',')}`,
    recipe.suite, target, mirror,
  ];
}
