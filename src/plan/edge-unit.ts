/** Values the edge's systemd unit template (templates/lanmcp-edge.service) is rendered with. */
export interface EdgeUnitValues {
  device: string;
  version: string;
  /** Where `node` lives on the device (facts), e.g. /usr/bin/node; a missing path leaves the unit looping in `activating`. */
  node_path: string;
  /** `root`, or the user the edge runs as. */
  run_as: string;
  /**
   * A non-root run_as user that never administers through sudo: it gets NoNewPrivileges and the seccomp-based
   * hardening (setuid programs cannot raise it). Without it a non-root user keeps sudo working and gets neither.
   */
  unprivileged?: boolean;
  /** systemd MemoryMax= for the edge and the commands it runs, e.g. `50%`, `512M`. */
  memory_max: string;
  tasks_max: number;
  /** V8 old-space cap in MB; default 96 (room for max_concurrent calls with 1 MiB outputs). */
  max_old_space_mb?: number;
  /** Default /opt/lanmcp-edge/edge.mjs. */
  bundle_path?: string;
  /** Default /etc/lanmcp-edge/config.json. */
  config_path?: string;
}

/** Seccomp-based: implies NoNewPrivileges for a unit without CAP_SYS_ADMIN, which would break sudo. */
const SECCOMP_HARDENING = [
  'SystemCallArchitectures=native',
  'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET AF_BLUETOOTH',
  'LockPersonality=yes',
];

/**
 * An unprivileged edge controls services through polkit and reads logs through its groups, never through a
 * setuid program, so it can give up privilege escalation for itself and every command it runs.
 */
const UNPRIVILEGED_HARDENING = ['NoNewPrivileges=yes', 'RestrictSUIDSGID=yes', ...SECCOMP_HARDENING];

function hardeningFor(values: EdgeUnitValues): string {
  if (values.run_as === 'root') return SECCOMP_HARDENING.join('\n');
  return values.unprivileged === true ? UNPRIVILEGED_HARDENING.join('\n') : '';
}

const ONE_WORD = /^[^\s]+$/;
const RULES: Record<string, RegExp> = {
  device: /^[a-z][a-z0-9-]{0,30}$/,
  version: ONE_WORD,
  node_path: /^\/[A-Za-z0-9._/+-]+$/,
  bundle_path: /^\/[A-Za-z0-9._/+-]+$/,
  config_path: /^\/[A-Za-z0-9._/+-]+$/,
  run_as: /^[a-z_][a-z0-9_.-]{0,31}$/,
  unprivileged: /^(true|false)$/,
  memory_max: /^([1-9][0-9]*[KMGT]?|[1-9][0-9]?%|100%|infinity)$/,
  tasks_max: /^([1-9][0-9]{1,6}|infinity)$/,
  max_old_space_mb: /^([1-9][0-9]{1,5})$/,
};

/**
 * Pure: fills `{{name}}` placeholders of the template text (passed in; the provisioner reads the file).
 * An unknown placeholder, or a value that is not one safe word (a newline would inject unit directives),
 * is a bug or hostile input and throws rather than rendering a broken unit.
 */
export function renderEdgeUnit(template: string, values: EdgeUnitValues): string {
  const filled: Record<string, string> = {
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])),
    max_old_space_mb: String(values.max_old_space_mb ?? 96),
    unprivileged: String(values.unprivileged === true),
    bundle_path: values.bundle_path ?? '/opt/lanmcp-edge/edge.mjs',
    config_path: values.config_path ?? '/etc/lanmcp-edge/config.json',
  };
  for (const [name, rule] of Object.entries(RULES)) {
    const value = filled[name];
    if (value === undefined || !rule.test(value)) throw new Error(`unit value ${name} is invalid: ${JSON.stringify(value)} does not match ${rule}`);
  }
  filled.hardening = hardeningFor(values);
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    const value = filled[name];
    if (value === undefined) throw new Error(`unit template has an unknown placeholder {{${name}}}`);
    return value;
  });
}
