// Inventory → devices with every default filled. Two layers only: `defaults`, then the host's groups
// (in file order: a later group wins where two disagree), then the host itself. Scalars replace; lists
// (policy.tools, commands.allow, commands.deny, services) replace as a whole; each key of `ssh`, `edge` and
// `edge.policy` is resolved separately.
import type { Defaults, EdgeHost, Group, Inventory, McpHost } from './generated-types.js';
import { expandPath } from './paths.js';
import { EDGE_TOOLS } from './types.js';
import type { Device, EdgeDevice, McpDevice, PathContext, ResolvedEdge, ResolvedPolicy, ResolvedSsh, SourceLocation } from './types.js';

export const DEFAULT_SSH = { user: 'root', port: 22, connect_timeout_s: 10 } as const;
export const DEFAULT_POLICY: ResolvedPolicy = {
  read_only: false,
  tools: [...EDGE_TOOLS],
  commands: { allow: [], deny: [] },
  timeout_s: 60,
  max_output_bytes: 1_048_576,
  max_concurrent: 8,
  services: [],
  confirm: 'never',
};
/** Edges serve HTTPS with a key pinned over SSH unless the inventory says `tls: false` (warned: rule/plain-http). */
export const DEFAULT_EDGE = { port: 8766, run_as: 'root', tls: true } as const;

type Layer = Pick<Defaults, 'ssh' | 'edge'>;

/** The last layer's defined value for `pick`, else `fallback`. */
function last<T>(layers: readonly Layer[], pick: (layer: Layer) => T | undefined, fallback: T): T {
  let value = fallback;
  for (const layer of layers) value = pick(layer) ?? value;
  return value;
}

function resolveSsh(layers: readonly Layer[], paths: PathContext): ResolvedSsh {
  const user = last(layers, (l) => l.ssh?.user, DEFAULT_SSH.user);
  const identity = last<string | undefined>(layers, (l) => l.ssh?.identity_file, undefined);
  const knownHosts = last<string | undefined>(layers, (l) => l.ssh?.known_hosts, undefined);
  return {
    user,
    port: last(layers, (l) => l.ssh?.port, DEFAULT_SSH.port),
    ...(identity !== undefined ? { identity_file: expandPath(identity, paths) } : {}),
    ...(knownHosts !== undefined ? { known_hosts: expandPath(knownHosts, paths) } : {}),
    // root needs no sudo; anyone else administers through `sudo -n`.
    become: last(layers, (l) => l.ssh?.become, user === 'root' ? 'none' : 'sudo'),
    connect_timeout_s: last(layers, (l) => l.ssh?.connect_timeout_s, DEFAULT_SSH.connect_timeout_s),
  };
}

function resolvePolicy(layers: readonly Layer[]): ResolvedPolicy {
  return {
    read_only: last(layers, (l) => l.edge?.policy?.read_only, DEFAULT_POLICY.read_only),
    tools: [...last(layers, (l) => l.edge?.policy?.tools, DEFAULT_POLICY.tools)],
    commands: {
      allow: [...last(layers, (l) => l.edge?.policy?.commands?.allow, DEFAULT_POLICY.commands.allow)],
      deny: [...last(layers, (l) => l.edge?.policy?.commands?.deny, DEFAULT_POLICY.commands.deny)],
    },
    timeout_s: last(layers, (l) => l.edge?.policy?.timeout_s, DEFAULT_POLICY.timeout_s),
    max_output_bytes: last(layers, (l) => l.edge?.policy?.max_output_bytes, DEFAULT_POLICY.max_output_bytes),
    max_concurrent: last(layers, (l) => l.edge?.policy?.max_concurrent, DEFAULT_POLICY.max_concurrent),
    services: [...last(layers, (l) => l.edge?.policy?.services, DEFAULT_POLICY.services)],
    confirm: last(layers, (l) => l.edge?.policy?.confirm, DEFAULT_POLICY.confirm),
  };
}

function resolveEdge(layers: readonly Layer[]): ResolvedEdge {
  return {
    port: last(layers, (l) => l.edge?.port, DEFAULT_EDGE.port),
    run_as: last(layers, (l) => l.edge?.run_as, DEFAULT_EDGE.run_as),
    tls: last(layers, (l) => l.edge?.tls, DEFAULT_EDGE.tls),
    policy: resolvePolicy(layers),
  };
}

/** Groups listing `name`, in file order. */
function groupsOf(name: string, groups: Record<string, Group>): string[] {
  return Object.entries(groups).filter(([, group]) => group.hosts.includes(name)).map(([group]) => group);
}

/** Fields both kinds share; kind-specific fields go around them so JSON reads kind, name, address/url first. */
function shared(host: EdgeHost | McpHost, groups: string[]): Pick<Device, 'description' | 'tags' | 'groups' | 'state'> {
  return {
    ...(host.description !== undefined ? { description: host.description } : {}),
    tags: [...new Set(host.tags ?? [])],
    groups,
    state: host.state ?? 'present',
  };
}

function resolveMcp(name: string, host: McpHost, groups: string[], source: SourceLocation): McpDevice {
  return {
    kind: 'mcp',
    name,
    url: host.url,
    ...shared(host, groups),
    ...(host.auth ? { auth: { bearer_env: host.auth.bearer_env } } : {}),
    ...(host.headers_env ? { headers_env: { ...host.headers_env } } : {}),
    source,
  };
}

function resolveEdgeHost(name: string, host: EdgeHost, layers: Layer[], groups: string[], source: SourceLocation, paths: PathContext): EdgeDevice {
  return {
    kind: 'edge',
    name,
    address: host.address,
    ...shared(host, groups),
    ssh: resolveSsh(layers, paths),
    edge: resolveEdge(layers),
    source,
  };
}

/** Every host as a Device, in file order, with defaults, groups and paths resolved. */
export function resolveDevices(inventory: Inventory, paths: PathContext, locate: (name: string) => SourceLocation): Device[] {
  const groups = inventory.groups ?? {};
  return Object.entries(inventory.hosts).map(([name, host]): Device => {
    const memberOf = groupsOf(name, groups);
    if (host.kind === 'mcp') return resolveMcp(name, host, memberOf, locate(name));
    const layers: Layer[] = [inventory.defaults ?? {}, ...memberOf.map((g) => groups[g]!), host];
    return resolveEdgeHost(name, host, layers, memberOf, locate(name), paths);
  });
}
