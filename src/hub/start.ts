import { LanmcpError } from '../shared/errors.js';
import { buildHub, type HubOptions } from './app.js';
import type { UpstreamStatus } from './upstreams/types.js';

export { loadHubOptions, type LoadedHub } from './load-options.js';

export interface RunningHub {
  /** `http://127.0.0.1:8765/mcp` (`https://…` with TLS): what clients connect to. */
  url: string;
  /** Upstream status after the first health checks. */
  upstreams(): UpstreamStatus[];
  /** Closes sessions and upstream connections, then the listener. */
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one) and waits for the first health check of every upstream. */
export async function startHub(options: HubOptions & { host: string; port: number }): Promise<RunningHub> {
  const app = buildHub(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (cause) {
    await app.close();
    throw new LanmcpError('E_HUB_LISTEN', `the hub cannot listen on ${options.host}:${options.port}: ${(cause as Error).message}`, {
      hint: 'pick another address with --listen HOST:PORT (or hub.listen in the inventory)', cause,
    });
  }
  await app.hub.runtime.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // A wildcard listener is reached through loopback; an IPv6 address needs brackets in a URL.
  const reachable = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}/mcp`,
    upstreams: () => [...app.hub.runtime.upstreams.values()].map((u) => u.status()),
    close: () => app.close(),
  };
}
