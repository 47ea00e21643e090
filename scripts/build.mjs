// Builds the three artifacts lanmcp ships: the CLI (Node ≥ 20, dependencies stay in node_modules), the edge
// server and the hub service (each one self-contained file for Node ≥ 18 devices, no node_modules there).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// CommonJS dependencies inside an ESM bundle call `require`; give them one.
const requireBanner = "import { createRequire as __lanmcpCreateRequire } from 'node:module'; const require = __lanmcpCreateRequire(import.meta.url);";

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  define: { __LANMCP_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});

/** A self-contained bundle for the devices' Node 18: every dependency inside, no node_modules there. */
const deviceBundle = (entry, outfile, banner) => build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  minify: true,
  legalComments: 'none',
  banner: { js: banner },
  define: { __LANMCP_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});

await deviceBundle('src/edge/main.ts', 'dist/edge.mjs', requireBanner);

// The hub as a service on the hub host (hub.host): Fastify 5 and the MCP SDK run on Debian's Node 18.20 as
// they are, except that the SDK calls the global Web Crypto object (`crypto.randomUUID()`), which Node 18
// does not define ("ReferenceError: crypto is not defined" on every MCP request): the banner defines it
// before any bundled code runs.
const webCryptoBanner = "import { webcrypto as __lanmcpWebCrypto } from 'node:crypto'; globalThis.crypto ??= __lanmcpWebCrypto;";

await deviceBundle('src/hubhost/service-main.ts', 'dist/hub.mjs', `${webCryptoBanner} ${requireBanner}`);
