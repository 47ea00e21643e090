// Settings the schema accepts but this version of lanmcp does not act on yet, and settings that turn a
// protection off. Each is a warning at the place it is written, so nobody relies on a protection that is not there.
import type { Diagnostic } from '../shared/diagnostics.js';
import { asMap, entriesOf } from './raw.js';
import type { RawMap } from './raw.js';
import type { SourceMap } from './source-map.js';

const LATER = 'this version of lanmcp does not implement it yet';

function layers(data: RawMap): [string[], RawMap | undefined][] {
  return [
    [['defaults'], asMap(data.defaults)],
    ...entriesOf(data.groups).map(([name, group]): [string[], RawMap] => [['groups', name], group]),
    ...entriesOf(data.hosts).map(([name, host]): [string[], RawMap] => [['hosts', name], host]),
  ];
}

function checkEdgeLayer(path: string[], layer: RawMap | undefined, sourceMap: SourceMap): Diagnostic[] {
  const edge = asMap(layer?.edge);
  const found: Diagnostic[] = [];
  if (edge?.tls === false) {
    found.push(sourceMap.report('rule/plain-http', [...path, 'edge', 'tls'], 'edge tls: false: plain HTTP, so edge tokens and command output cross the LAN in clear text and the hub cannot tell the edge from an impostor', { severity: 'warning', hint: 'remove `tls: false` (TLS with a key pinned over SSH is the default) unless an old edge cannot serve it' }));
  }
  return found;
}

/** Warnings for every setting this version accepts but does not implement, and for plain-HTTP edges. */
export function checkNotSupportedYet(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  const hub = asMap(data.hub);
  return [
    ...layers(data).flatMap(([path, layer]) => checkEdgeLayer(path, layer, sourceMap)),
    ...(hub?.host !== undefined ? [sourceMap.report('rule/not-supported-yet', ['hub', 'host'], `hub.host: ${LATER}; the hub runs where lanmcp runs`, { severity: 'warning' })] : []),
    ...(hub?.tls !== undefined ? [sourceMap.report('rule/not-supported-yet', ['hub', 'tls'], `hub.tls: ${LATER}; the hub serves plain HTTP`, { severity: 'warning', hint: 'put the hub behind a TLS tunnel (Tailscale serve, Cloudflare Tunnel) or keep it on loopback' })] : []),
  ];
}
