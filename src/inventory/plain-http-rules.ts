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
 * A `rule/plain-http` warning at every `edge: { tls: false }`, in defaults, groups and hosts. (A `hub.host`
 * without `hub.tls` is warned by the hub.host rule, which knows whether that host is valid.)
 */
export function checkPlainHttp(data: RawMap, sourceMap: SourceMap): Diagnostic[] {
  return layers(data)
    .filter(([, layer]) => asMap(layer?.edge)?.tls === false)
    .map(([path]) => sourceMap.report('rule/plain-http', [...path, 'edge', 'tls'], 'edge tls: false: plain HTTP, so edge tokens and command output cross the LAN in clear text and the hub cannot tell the edge from an impostor', {
      severity: 'warning', hint: 'remove `tls: false` (TLS with a key pinned over SSH is the default) unless an old edge cannot serve it',
    }));
}
