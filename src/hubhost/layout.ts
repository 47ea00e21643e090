/**
 * Where lanmcp puts the hub service on the hub host (hub.host). Apart from the edge's folders, so the edge
 * and the hub on one device are installed, restarted and removed independently.
 */
export const HUB_LAYOUT = {
  bundle: { path: '/opt/lanmcp-hub/hub.mjs', mode: 0o644 },
  /** Holds the edges' tokens: root only. The hub (a dynamic user) gets it through systemd's LoadCredential=. */
  config: { path: '/etc/lanmcp-hub/hub.json', mode: 0o600 },
  unit: { path: '/etc/systemd/system/lanmcp-hub.service', mode: 0o644 },
  /** Beside the config, in root's folder: the hub's own state folder belongs to its dynamic user. */
  receipt: { path: '/etc/lanmcp-hub/receipt.json', mode: 0o644 },
  /**
   * The hub's audit log on the device (hub.audit_log names the one of a hub run with `lanmcp hub`), in the
   * unit's StateDirectory=: systemd creates it 0700 for the hub's dynamic user.
   */
  auditLog: '/var/lib/lanmcp-hub/audit.jsonl',
  unitName: 'lanmcp-hub.service',
  /** Folders lanmcp creates. */
  dirs: ['/opt/lanmcp-hub', '/etc/lanmcp-hub'],
  /** Kept 0700 root:root: the config holds secrets. */
  privateDirs: ['/etc/lanmcp-hub'],
  /** What systemd makes for StateDirectory= (a link into private/), removed with the hub. */
  stateDirs: ['/var/lib/lanmcp-hub', '/var/lib/private/lanmcp-hub'],
} as const;

/** Managed files in the order they are written; the unit last so systemd never sees a unit without its files. */
export const HUB_FILES = [HUB_LAYOUT.bundle, HUB_LAYOUT.config, HUB_LAYOUT.unit] as const;

/** Folders scanned for an interrupted hub apply's temp files and rollback copies. */
export const HUB_LEFTOVER_DIRS = [...HUB_LAYOUT.dirs] as const;
