// One edge per machine: two hosts with the same address would install two edges over each other (and
// clash on the edge port), so an address may appear once. Also catches a typo'd IPv4 address, which
// the schema accepts as a hostname ("10.0.0.300" is a valid DNS name).
import type { Diagnostic } from '../shared/diagnostics.js';
import { asMap, entriesOf, isMcpHost, stringAt } from './raw.js';
import type { RawMap } from './raw.js';
import type { SourceMap } from './source-map.js';

const DEFAULT_EDGE_PORT = 8766;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The edge port a host will get (host → its groups, later groups winning → defaults), for the clash message. */
function edgePort(name: string, host: RawMap, data: RawMap): number {
  const port = (layer: unknown) => asMap(asMap(layer)?.edge)?.port;
  let result: unknown = port(data.defaults);
  for (const [, group] of entriesOf(data.groups)) {
    if (Array.isArray(group.hosts) && group.hosts.includes(name)) result = port(group) ?? result;
  }
  result = port(host) ?? result;
  return typeof result === 'number' ? result : DEFAULT_EDGE_PORT;
}

function normalize(address: string): string {
  return address.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function checkIpv4Lookalike(name: string, address: string, sourceMap: SourceMap): Diagnostic | undefined {
  if (!/^[\d.]+$/.test(address) || IPV4.test(address)) return undefined;
  return sourceMap.report('rule/invalid-address', ['hosts', name, 'address'], `"${address}" looks like an IPv4 address but is not one`, {
    hint: 'an IPv4 address is four numbers 0-255 separated by dots, e.g. 10.0.0.21',
  });
}

/** Duplicate and malformed addresses among edge hosts. */
export function checkAddresses(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const firstUse = new Map<string, { name: string; port: number }>();
  for (const [name, host] of entriesOf(data.hosts)) {
    const address = stringAt(host, 'address');
    if (isMcpHost(host) || address === undefined) continue;
    const lookalike = checkIpv4Lookalike(name, address, sourceMap);
    if (lookalike) diagnostics.push(lookalike);
    const port = edgePort(name, host, data);
    const earlier = firstUse.get(normalize(address));
    if (!earlier) {
      firstUse.set(normalize(address), { name, port });
      continue;
    }
    const { line, column } = sourceMap.locate(['hosts', earlier.name, 'address']);
    const clash = earlier.port === port ? `; both edges would listen on ${address}:${port}` : '';
    const message = `address ${address} is also used by host "${earlier.name}" (${sourceMap.file}:${line}:${column})${clash}`;
    diagnostics.push(sourceMap.report('rule/duplicate-address', ['hosts', name, 'address'], message, {
      hint: 'a machine runs one edge: give each host its own address, or remove one of them (state: absent uninstalls first)',
    }));
  }
  return diagnostics;
}
