// `node hub.mjs --config /etc/lanmcp-hub/hub.json`: the hub as a systemd service on the hub host (hub.host).
// Failures print one line on stderr (the journal shows it) and exit 1; SIGTERM/SIGINT close cleanly.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startHub } from '../hub/start.js';
import { LANMCP_VERSION } from '../shared/version.js';
import { installNode18StreamFix } from './node18-streams.js';
import { parseServiceConfig } from './service-config.js';
import { serviceHubOptions } from './service-options.js';

async function main(): Promise<void> {
  installNode18StreamFix();
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  if (!values.config) throw new Error('usage: node hub.mjs --config /etc/lanmcp-hub/hub.json');
  const config = parseServiceConfig(JSON.parse(await readFile(values.config, 'utf8')));
  const hub = await startHub(serviceHubOptions(config));
  const up = hub.upstreams().filter((u) => u.status === 'up').length;
  // Names and counts only: the config's secrets never reach the journal.
  process.stdout.write(`${JSON.stringify({ hub: 'start', time: new Date().toISOString(), version: LANMCP_VERSION, host: config.host, listen: config.listen, upstreams: hub.upstreams().length, up, node: process.version })}\n`);
  const stop = (signal: string) => {
    process.stderr.write(`lanmcp-hub: ${signal}, closing sessions and upstream connections\n`);
    hub.close().then(() => process.exit(0), () => process.exit(1));
    // An upstream whose connection will not close must not hold the stop until systemd's own timeout kills us.
    setTimeout(() => process.exit(0), 8000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const e = error as { code?: string; message?: string; hint?: string };
  const head = typeof e.code === 'string' && e.code.startsWith('E_') ? `error ${e.code}: ` : 'error: ';
  process.stderr.write(`lanmcp-hub: ${head}${(e.message ?? String(error)).replace(/\n/g, ' ')}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
  process.exit(1);
});
