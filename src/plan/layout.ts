/**
 * Where lanmcp puts things on a device (DESIGN.md "On the device"). The planner, the facts script and the
 * executor all read these, so the layout is written down once.
 */
export const EDGE_LAYOUT = {
  bundle: { path: '/opt/lanmcp-edge/edge.mjs', mode: 0o644 },
  config: { path: '/etc/lanmcp-edge/config.json', mode: 0o600 },
  unit: { path: '/etc/systemd/system/lanmcp-edge.service', mode: 0o644 },
  receipt: { path: '/var/lib/lanmcp-edge/receipt.json', mode: 0o644 },
  /** Only for a run_as edge with `policy.services`; polkitd reloads rules on change, so the edge never restarts for it. */
  polkitRule: { path: '/etc/polkit-1/rules.d/50-lanmcp-edge.rules', mode: 0o644 },
  /** 0700 root:root for a root edge; 0750 root:<run_as group> so a run_as user can reach config.json. */
  configDir: '/etc/lanmcp-edge',
  unitName: 'lanmcp-edge.service',
  /** The edge's TLS key (never leaves the device) and self-signed certificate; the folder is owned like configDir. */
  tls: { dir: '/etc/lanmcp-edge/tls', key: '/etc/lanmcp-edge/tls/key.pem', cert: '/etc/lanmcp-edge/tls/cert.pem' },
  /** Folders lanmcp creates and, for `state: absent`, removes again. */
  dirs: ['/opt/lanmcp-edge', '/etc/lanmcp-edge', '/var/lib/lanmcp-edge'],
} as const;

/** Managed files in the order they are written; the unit last so systemd never sees a unit without its files. */
export const MANAGED_FILES = [EDGE_LAYOUT.bundle, EDGE_LAYOUT.config, EDGE_LAYOUT.unit] as const;

/** Suffix of the copy kept while a new version is verified (rollback source). */
export const PREVIOUS_SUFFIX = '.lanmcp-prev';

/** Groups a run_as user joins where they exist: systemd-journal reads the journal (`logs`), adm /var/log. */
export const LOG_GROUPS = ['systemd-journal', 'adm'] as const;

/** Folders scanned for an interrupted apply's temp files and rollback copies. */
export const LEFTOVER_DIRS = [...EDGE_LAYOUT.dirs, EDGE_LAYOUT.tls.dir, '/etc/systemd/system', '/etc/polkit-1/rules.d'] as const;
