import { EDGE_LAYOUT, LEFTOVER_DIRS, MANAGED_FILES, PREVIOUS_SUFFIX } from '../plan/layout.js';

/** Files whose text `diff --diff` may show; the bundle is only hashed. */
const TEXT_FILES = [EDGE_LAYOUT.config.path, EDGE_LAYOUT.unit.path, EDGE_LAYOUT.polkitRule.path];

/**
 * The one read-only round trip that gathers a device's facts (pyinfra style: a command plus a pure parse).
 * POSIX sh with coreutils only (a minimal Debian has them); every section is a `@name` line followed by its
 * value so one missing tool never shifts the others. It changes nothing on the device.
 */
export function renderFactsScript(): string {
  const files = [...MANAGED_FILES.map((f) => f.path), EDGE_LAYOUT.polkitRule.path];
  const lines = [
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'echo @os; cat /etc/os-release 2>/dev/null',
    'echo @arch; uname -m',
    'echo @node; n=$(command -v node 2>/dev/null) && echo "$n" && "$n" --version 2>/dev/null',
    'echo @systemd; if [ -d /run/systemd/system ]; then echo yes; else echo no; fi',
    ...files.map((path) => `echo "@file ${path}"; if [ -f ${path} ]; then sha256sum < ${path} | cut -d' ' -f1; stat -c '%a %U %G' ${path}; fi`),
    `echo @configdir; stat -c '%a %U %G' ${EDGE_LAYOUT.configDir} 2>/dev/null`,
    // The certificate is public (its key's SHA-256 is the pin); key.pem is only stat'ed, never read.
    `echo @tlscert; if [ -f ${EDGE_LAYOUT.tls.cert} ]; then base64 -w0 < ${EDGE_LAYOUT.tls.cert}; echo; fi`,
    `echo @tlskey; stat -c '%a %U %G' ${EDGE_LAYOUT.tls.key} 2>/dev/null`,
    `echo @tlsdir; stat -c '%a %U %G' ${EDGE_LAYOUT.tls.dir} 2>/dev/null`,
    // Every local account, so the facts need not know which user the inventory asks for (name:uid:gid, name:gid:members).
    'echo @passwd; getent passwd | cut -d: -f1,3,4',
    'echo @group; getent group | cut -d: -f1,3,4',
    'echo @polkit; if [ -x /usr/lib/polkit-1/polkitd ] || command -v pkaction >/dev/null 2>&1; then echo yes; else echo no; fi',
    ...TEXT_FILES.map((path) => `echo "@text ${path}"; if [ -f ${path} ]; then base64 -w0 < ${path}; echo; fi`),
    `echo @enabled; systemctl is-enabled ${EDGE_LAYOUT.unitName} 2>/dev/null`,
    `echo @active; systemctl is-active ${EDGE_LAYOUT.unitName} 2>/dev/null`,
    `echo @since; systemctl show -p ActiveEnterTimestampMonotonic --value ${EDGE_LAYOUT.unitName} 2>/dev/null`,
    `echo @receipt; if [ -f ${EDGE_LAYOUT.receipt.path} ]; then base64 -w0 < ${EDGE_LAYOUT.receipt.path}; echo; fi`,
    `echo @leftovers; for d in ${LEFTOVER_DIRS.join(' ')}; do ls -1a "$d" 2>/dev/null | grep -E '(\\${PREVIOUS_SUFFIX}$|^\\.lanmcp\\.)' | sed "s|^|$d/|"; done`,
    'echo @end',
  ];
  return `${lines.join('\n')}\n`;
}
