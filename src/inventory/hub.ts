// The hub section with its defaults filled and paths made absolute.
import type { Hub } from './generated-types.js';
import { expandPath } from './paths.js';
import type { PathContext, ResolvedHub } from './types.js';

export const DEFAULT_HUB_LISTEN = '127.0.0.1:8765';
export const DEFAULT_AUDIT_LOG = '.lanmcp/audit.jsonl';

/** `127.0.0.1:8765` → host and port; `[::1]:8765` → `::1` and port. The schema already checked the shape. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^\[(.+)\]:(\d+)$/.exec(listen) ?? /^(.+):(\d+)$/.exec(listen);
  if (!match) throw new Error(`hub.listen "${listen}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

export function resolveHub(hub: Hub | undefined, paths: PathContext): ResolvedHub {
  const listen = hub?.listen ?? DEFAULT_HUB_LISTEN;
  const { host, port } = parseListen(listen);
  return {
    listen,
    listen_host: host,
    listen_port: port,
    ...(hub?.public_url !== undefined ? { public_url: hub.public_url } : {}),
    ...(hub?.host !== undefined ? { host: hub.host } : {}),
    per_device_tools: hub?.per_device_tools ?? false,
    audit_log: expandPath(hub?.audit_log ?? DEFAULT_AUDIT_LOG, paths),
    ...(hub?.tls ? { tls: { cert_file: expandPath(hub.tls.cert_file, paths), key_file: expandPath(hub.tls.key_file, paths) } } : {}),
  };
}
