import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEdgeConfig } from './load-config.js';
import { startEdge } from './serve.js';

// `node edge.mjs --config FILE`. Failures print one line on stderr (systemd's journal shows it) and exit 1.
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  if (!values.config) throw new Error('usage: node edge.mjs --config /etc/lanmcp-edge/config.json');
  const config = await loadEdgeConfig(values.config);
  const http = await startEdge(config, [values.config, fileURLToPath(import.meta.url)]);
  const stop = (signal: string) => {
    process.stderr.write(`lanmcp-edge: ${signal}, shutting down\n`);
    http.shutdown().then(() => process.exit(0), () => process.exit(1));
    setTimeout(() => process.exit(0), 6000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const e = error as { code?: string; message?: string; hint?: string };
  const head = typeof e.code === 'string' && e.code.startsWith('E_') ? `error ${e.code}: ` : 'error: ';
  process.stderr.write(`lanmcp-edge: ${head}${(e.message ?? String(error)).replace(/\n/g, ' ')}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
  process.exit(1);
});
