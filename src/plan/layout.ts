/**
 * Where lanmcp puts things on a device (DESIGN.md "On the device"). The planner, the facts script and the
 * executor all read these, so the layout is written down once.
 */
export const EDGE_LAYOUT = {
  bundle: { path: '/opt/lanmcp-edge/edge.mjs', mode: 0o644 },
  config: { path: '/etc/lanmcp-edge/config.json', mode: 0o600 },
  unit: { path: '/etc/systemd/system/lanmcp-edge.service', mode: 0o644 },
  receipt: { path: '/var/lib/lanmcp-edge/receipt.json', mode: 0o644 },
  unitName: 'lanmcp-edge.service',
  /** Folders lanmcp creates and, for `state: absent`, removes again. */
  dirs: ['/opt/lanmcp-edge', '/etc/lanmcp-edge', '/var/lib/lanmcp-edge'],
} as const;

/** Managed files in the order they are written; the unit last so systemd never sees a unit without its files. */
export const MANAGED_FILES = [EDGE_LAYOUT.bundle, EDGE_LAYOUT.config, EDGE_LAYOUT.unit] as const;

/** Suffix of the copy kept while a new version is verified (rollback source). */
export const PREVIOUS_SUFFIX = '.lanmcp-prev';
