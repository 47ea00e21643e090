import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { hostname } from 'node:os';
import { LanmcpError } from '../shared/errors.js';
import { resolve } from 'node:path';
import { LANMCP_VERSION } from '../shared/version.js';
import type { EdgeConfig } from './config.js';
import { createEdge } from './edge.js';
import { createEdgeHttpServer, type EdgeHttpServer } from './http.js';
import { allowedHostnames } from './http-rules.js';
import { createSystem, deviceAddresses } from './probes.js';

/**
 * Starts the real edge: real OS, HTTP listener (HTTPS when the config names a TLS key) on the configured
 * address. The config file and the running bundle are always protected, whatever protected_paths says.
 */
export async function startEdge(config: EdgeConfig, ownFiles: string[]): Promise<EdgeHttpServer> {
  const guarded: EdgeConfig = { ...config, protected_paths: [...new Set([...config.protected_paths, ...ownFiles.map((f) => resolve(f))])] };
  const system = createSystem();
  const edge = createEdge(guarded, system);
  const http = createEdgeHttpServer(edge, guarded, {
    allowedHosts: allowedHostnames(guarded, hostname(), deviceAddresses()),
    version: LANMCP_VERSION,
    ...(config.tls ? { tls: await readTlsFiles(config.tls) } : {}),
  });
  http.server.keepAliveTimeout = 65_000; // longer than clients' idle timeouts, so they close first (no reset races)
  await new Promise<void>((ok, fail) => {
    http.server.once('error', fail);
    http.server.listen(config.listen.port, config.listen.host, () => ok());
  });
  system.log(JSON.stringify({ edge: 'start', time: new Date().toISOString(), version: LANMCP_VERSION, name: config.name, listen: config.listen, tls: Boolean(config.tls), read_only: config.policy.read_only, tools: config.policy.tools, node: process.version }));
  return http;
}

async function readTlsFiles(tls: NonNullable<EdgeConfig['tls']>): Promise<{ key: string; cert: string }> {
  const read = (path: string) => readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new LanmcpError('E_EDGE_CONFIG', `cannot read the TLS file ${path}${cause.code ? ` (${cause.code})` : ''}`, { cause, hint: 're-run `lanmcp apply` to generate the key' });
  });
  const files = { key: await read(tls.key_file), cert: await read(tls.cert_file) };
  try {
    // OpenSSL's own words ("key values mismatch", "DECODER routines::unsupported") name no file: say which.
    createSecureContext(files);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new LanmcpError('E_EDGE_CONFIG', `the TLS key ${tls.key_file} and certificate ${tls.cert_file} cannot be used: ${reason}`, { cause, hint: 're-run `lanmcp apply`: it generates a new key when the device has none it can use' });
  }
  return files;
}
