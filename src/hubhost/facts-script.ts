import { PREVIOUS_SUFFIX } from '../plan/layout.js';
import { HUB_FILES, HUB_LAYOUT, HUB_LEFTOVER_DIRS } from './layout.js';

const UNIT_DIR = HUB_LAYOUT.unit.path.slice(0, HUB_LAYOUT.unit.path.lastIndexOf('/'));
const UNIT_NAME = HUB_LAYOUT.unit.path.slice(UNIT_DIR.length + 1);

/**
 * The hub host's read-only facts in one round trip: node, systemd, the hub's files (hash, mode, owner),
 * its folders, the unit's text (for `diff --diff`; never the config's), the service and the receipt.
 * Same `@section` format as the edge's facts script; it changes nothing on the device.
 */
export function renderHubFactsScript(): string {
  const unit = HUB_LAYOUT.unitName;
  const lines = [
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'echo @node; n=$(command -v node 2>/dev/null) && echo "$n" && "$n" --version 2>/dev/null',
    'echo @systemd; if [ -d /run/systemd/system ]; then echo yes; else echo no; fi',
    'echo @systemdversion; systemctl --version 2>/dev/null | head -n 1',
    ...HUB_FILES.map(({ path }) => `echo "@file ${path}"; if [ -f ${path} ]; then sha256sum < ${path} | cut -d' ' -f1; stat -c '%a %U %G' ${path}; fi`),
    ...HUB_LAYOUT.privateDirs.map((dir) => `echo "@dir ${dir}"; stat -c '%a %U %G' ${dir} 2>/dev/null`),
    `echo "@text ${HUB_LAYOUT.unit.path}"; if [ -f ${HUB_LAYOUT.unit.path} ]; then base64 -w0 < ${HUB_LAYOUT.unit.path}; echo; fi`,
    `echo @enabled; systemctl is-enabled ${unit} 2>/dev/null`,
    `echo @active; systemctl is-active ${unit} 2>/dev/null`,
    `echo @since; systemctl show -p ActiveEnterTimestampMonotonic --value ${unit} 2>/dev/null`,
    `echo @receipt; if [ -f ${HUB_LAYOUT.receipt.path} ]; then base64 -w0 < ${HUB_LAYOUT.receipt.path}; echo; fi`,
    // In the hub's own folders, a rollback copy or a putFile temp file (`.lanmcp.XXXXXX`, left when a write was
    // killed) is ours. In /etc/systemd/system only the unit's copy is: temp files there may be the edge's, and the
    // edge's facts (same device: hub.host is an edge) already clean them.
    `echo @leftovers; for d in ${HUB_LEFTOVER_DIRS.join(' ')}; do ls -1a "$d" 2>/dev/null | grep -E '(\\${PREVIOUS_SUFFIX}$|^\\.lanmcp\\.)' | sed "s|^|$d/|"; done`,
    `ls -1a ${UNIT_DIR} 2>/dev/null | grep -Fx '${UNIT_NAME}${PREVIOUS_SUFFIX}' | sed "s|^|${UNIT_DIR}/|"`,
    'echo @end',
  ];
  return `${lines.join('\n')}\n`;
}
