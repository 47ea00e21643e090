// Builds the two artifacts lanmcp ships: the CLI (Node ≥ 20, dependencies stay in node_modules)
// and the edge server (one self-contained file for Node ≥ 18 devices, no node_modules on the device).
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

await build({
  entryPoints: ['src/edge/main.ts'],
  outfile: 'dist/edge.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  minify: true,
  legalComments: 'none',
  banner: { js: requireBanner },
  define: { __LANMCP_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
