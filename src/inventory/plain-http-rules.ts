// Settings that turn a protection off are warned about where they are written, so a plain-HTTP edge is a
// visible choice in every `validate`, `diff` and `apply`, never a silent default.
import type { Diagnostic } from '../shared/diagnostics.js';
import { asMap, entriesOf } from './raw.js';
import type { RawMap } from './raw.js';
import type { SourceMap } from './source-map.js';

function layers(data: RawMap): [string[], RawMap | undefined][] {
  return [
    [['defaults'], asMap(data.defaults)],
    ...entriesOf(data.groups).map(([name, group]): [string[], RawMap] => [['groups', name], group]),
    ...entriesOf(data.hosts).map(([name, host]): [string[], RawMap] => [['hosts', name], host]),
  ];
}

/**
 * A `rule/plain-http` warning at every `edge: { tls: false }`, in defaults, groups and hosts, and at a
 * `hub.host` without `hub.tls`: that hub listens on the LAN, so client tokens would cross it in clear text.
 */
export function checkPlainHttp(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  const hub = asMap(data.hub);
  // Only for a hub.host the other rules accept (a present edge host): an invalid one has its own error.
  const hubHost = typeof hub?.host === 'string' ? hub.host : undefined;
  const target = hubHost !== undefined ? asMap(asMap(data.hosts)?.[hubHost]) : undefined;
  const servesHub = target !== undefined && target.kind !== 'mcp' && target.state !== 'absent';
  const plainHub = servesHub && hub?.tls === undefined
    ? [sourceMap.report('rule/plain-http', ['hub', 'host'], `the hub on ${hubHost} serves plain HTTP on the LAN: client tokens and every call's output cross it in clear text`, {
      severity: 'warning', hint: 'add hub.tls (a certificate and key for the hub), or reach the hub only through a TLS tunnel (hub.public_url)',
    })]
    : [];
  return [...plainHub, ...edgeLayers(data, sourceMap)];
}

function edgeLayers(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  return layers(data)
    .filter(([, layer]) => asMap(layer?.edge)?.tls === false)
    .map(([path]) => sourceMap.report('rule/plain-http', [...path, 'edge', 'tls'], 'edge tls: false: plain HTTP, so edge tokens and command output cross the LAN in clear text and the hub cannot tell the edge from an impostor', {
      severity: 'warning', hint: 'remove `tls: false` (TLS with a key pinned over SSH is the default) unless an old edge cannot serve it',
    }));
}
