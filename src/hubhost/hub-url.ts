// Where MCP clients (`lanmcp connect`) and `lanmcp status` reach the hub. Pure.
import type { Device, ResolvedHub } from '../inventory/types.js';
import { planServiceListen } from './render-config.js';

export interface HubEndpoint {
  /** What clients connect to: `…/mcp`. */
  url: string;
  /** The same server without `/mcp`: `/healthz` and the status page live there. */
  base: string;
  /** Where that URL came from, for messages. */
  source: 'public_url' | 'hub.host' | 'hub.listen';
}

const bracket = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * hub.public_url when set; else, with hub.host, the hub host's address and hub.listen's port (https with
 * hub.tls); else hub.listen on this machine, a wildcard address replaced by `wildcardName`.
 */
export function planHubEndpoint(hub: ResolvedHub, devices: readonly Device[], wildcardName: string): HubEndpoint {
  if (hub.public_url) return { url: hub.public_url, base: hub.public_url.replace(/\/mcp\/?$/, '').replace(/\/$/, ''), source: 'public_url' };
  const scheme = hub.tls ? 'https' : 'http';
  const host = hub.host ? devices.find((d) => d.name === hub.host && d.kind === 'edge') : undefined;
  if (host && host.kind === 'edge') {
    const listen = planServiceListen(hub);
    const address = listen.host === '0.0.0.0' || listen.host === '::' ? host.address : listen.host;
    const base = `${scheme}://${bracket(address)}:${listen.port}`;
    return { url: `${base}/mcp`, base, source: 'hub.host' };
  }
  const wildcard = hub.listen_host === '0.0.0.0' || hub.listen_host === '::';
  const base = `${scheme}://${bracket(wildcard ? wildcardName : hub.listen_host)}:${hub.listen_port}`;
  return { url: `${base}/mcp`, base, source: 'hub.listen' };
}
