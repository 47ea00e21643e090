import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactInfo } from '../plan/desired.js';
import { LanmcpError } from '../shared/errors.js';
import { sha256Hex } from '../shared/hash.js';
import { findPackageRoot } from '../shared/package-root.js';
import { LANMCP_VERSION } from '../shared/version.js';

export interface Artifacts extends ArtifactInfo {
  bundle: Uint8Array;
}

/** Reads the edge bundle this lanmcp ships (dist/edge.mjs); its hash decides whether devices need it. */
export async function loadArtifacts(): Promise<Artifacts> {
  const path = join(findPackageRoot(), 'dist', 'edge.mjs');
  try {
    const bundle = await readFile(path);
    return { bundle, bundleSha256: sha256Hex(bundle), version: LANMCP_VERSION };
  } catch (cause) {
    throw new LanmcpError('E_ARTIFACT_MISSING', `the edge bundle ${path} is missing`, { hint: 'run `npm run build` in the lanmcp checkout', cause });
  }
}
