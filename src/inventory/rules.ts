// The semantic rules the schema cannot express. They run on every document, even one with schema
// errors, reading defensively, so a user sees all problems in one pass.
import type { Diagnostic } from '../shared/diagnostics.js';
import { checkAddresses } from './address-rules.js';
import { asMap, entriesOf, isMcpHost } from './raw.js';
import type { RawMap } from './raw.js';
import { checkSecrets } from './secret-rules.js';
import { checkPlainHttp } from './plain-http-rules.js';
import type { SourceMap } from './source-map.js';
import { didYouMean } from './suggest.js';

function checkGroupMembers(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  const hosts = Object.keys(asMap(data.hosts) ?? {});
  const diagnostics: Diagnostic[] = [];
  for (const [group, body] of entriesOf(data.groups)) {
    if (hosts.includes(group)) {
      diagnostics.push(sourceMap.report('rule/name-clash', ['groups', group], `group "${group}" has the same name as a host`, {
        atKey: true,
        hint: 'rename the group: --limit and run_on_many targets must tell hosts and groups apart',
      }));
    }
    const members = Array.isArray(body.hosts) ? body.hosts : [];
    members.forEach((member, index) => {
      if (typeof member !== 'string' || hosts.includes(member)) return;
      const hint = didYouMean(member, hosts) ?? 'define the host under `hosts`, or remove it from the group';
      diagnostics.push(sourceMap.report('rule/unknown-host', ['groups', group, 'hosts', index], `group "${group}" lists unknown host "${member}"`, { hint }));
    });
  }
  return diagnostics;
}

function checkHubHost(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  const name = asMap(data.hub)?.host;
  if (typeof name !== 'string') return [];
  const hosts = asMap(data.hosts) ?? {};
  const host = asMap(hosts[name]);
  const path = ['hub', 'host'];
  if (!host) {
    const hint = didYouMean(name, Object.keys(hosts)) ?? 'name an edge host defined under `hosts`';
    return [sourceMap.report('rule/unknown-host', path, `hub.host names unknown host "${name}"`, { hint })];
  }
  if (isMcpHost(host)) {
    return [sourceMap.report('rule/hub-host', path, `hub.host "${name}" is a kind: mcp host; the hub can only be provisioned onto an edge host`)];
  }
  if (host.state === 'absent') {
    return [sourceMap.report('rule/hub-host', path, `hub.host "${name}" has state: absent; the hub needs a present device`)];
  }
  // A valid hub.host listens on the LAN: without hub.tls, client tokens would cross it in clear text.
  if (asMap(data.hub)?.tls === undefined) {
    return [sourceMap.report('rule/plain-http', path, `the hub on ${name} serves plain HTTP on the LAN: client tokens and every call's output cross it in clear text`, {
      severity: 'warning', hint: 'add hub.tls (a certificate and key for the hub), or reach the hub only through a TLS tunnel (hub.public_url)',
    })];
  }
  return [];
}

/** The hub's own tool names, split at the first `_`: a `kind: mcp` host with that prefix re-exposes tools that may clash. */
const BUILTIN_TOOL_PREFIXES: Record<string, string[]> = {
  network: ['network_resources'],
  run: ['run_command', 'run_on_many'],
  read: ['read_file'],
  write: ['write_file'],
  list: ['list_dir'],
  system: ['system_info'],
};

/** A warning where a `kind: mcp` host's `<host>_<tool>` names could shadow the hub's own tools (the hub then skips those). */
function checkToolPrefixes(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  return entriesOf(data.hosts)
    .filter(([name, host]) => isMcpHost(host) && name in BUILTIN_TOOL_PREFIXES)
    .map(([name]) => sourceMap.report('rule/tool-name-clash', ['hosts', name], `kind: mcp host "${name}" re-exposes its tools as ${name}_<tool>, which can collide with the hub's own ${BUILTIN_TOOL_PREFIXES[name]!.join(' and ')}`, {
      atKey: true,
      severity: 'warning',
      hint: 'a colliding upstream tool is left out (network_resources lists it under skipped_tools); rename the host to avoid it',
    }));
}

/** Every semantic problem in `data` (which may or may not conform to the schema). */
export function checkRules(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  return [
    ...checkGroupMembers(data, sourceMap),
    ...checkAddresses(data, sourceMap),
    ...checkHubHost(data, sourceMap),
    ...checkSecrets(data, sourceMap),
    ...checkToolPrefixes(data, sourceMap),
    ...checkPlainHttp(data, sourceMap),
  ];
}
