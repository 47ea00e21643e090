import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEdgeConfig } from './load-config.js';
import { startEdge } from './serve.js';
import { writeEdgeTlsIdentity } from './tls-keygen.js';

const USAGE = 'usage: node edge.mjs --config /etc/lanmcp-edge/config.json';
const KEYGEN_USAGE = 'usage: node edge.mjs tls-keygen DIR DEVICE-NAME [--gid N]';

// `node edge.mjs --config FILE` serves; `tls-keygen` makes the TLS key on the device (apply runs it over SSH and
// reads the pin from stdout). Failures print one line on stderr (systemd's journal shows it) and exit 1.
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { config: { type: 'string' }, gid: { type: 'string' } }, strict: true, allowPositionals: true });
  if (positionals[0] === 'tls-keygen') return keygen(positionals.slice(1), values.gid);
  if (!values.config || positionals.length > 0) throw new Error(USAGE);
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

async function keygen(args: string[], gid: string | undefined): Promise<void> {
  const [dir, name] = args;
  if (!dir || !name || args.length !== 2 || (gid !== undefined && !/^\d+$/.test(gid))) throw new Error(KEYGEN_USAGE);
  const pin = await writeEdgeTlsIdentity({ dir, name, ...(gid !== undefined ? { gid: Number(gid) } : {}) });
  process.stdout.write(`${JSON.stringify(pin)}\n`);
}

main().catch((error: unknown) => {
  const e = error as { code?: string; message?: string; hint?: string };
  const head = typeof e.code === 'string' && e.code.startsWith('E_') ? `error ${e.code}: ` : 'error: ';
  process.stderr.write(`lanmcp-edge: ${head}${(e.message ?? String(error)).replace(/\n/g, ' ')}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
  process.exit(1);
});
