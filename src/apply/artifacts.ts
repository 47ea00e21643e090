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

/** Reads what this lanmcp ships to devices: the edge bundle (dist/edge.mjs) and the unit template. */
export function loadArtifacts(): Promise<Artifacts> {
  return loadShippedArtifacts('edge.mjs', 'lanmcp-edge.service');
}

/** A bundle from dist/ and a unit template from templates/ of this lanmcp (the edge's, or the hub's for hub.host). */
export async function loadShippedArtifacts(bundleName: string, templateName: string): Promise<Artifacts> {
  const root = findPackageRoot();
  const [bundle, unitTemplate] = await Promise.all([
    readArtifact(join(root, 'dist', bundleName), 'run `npm run build` in the lanmcp checkout'),
    readArtifact(join(root, 'templates', templateName), 'reinstall lanmcp: its templates/ folder is incomplete'),
  ]);
  return { bundle, bundleSha256: sha256Hex(bundle), version: LANMCP_VERSION, unitTemplate: unitTemplate.toString('utf8') };
}

async function readArtifact(path: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new LanmcpError('E_ARTIFACT_MISSING', `${path} is missing`, { hint, cause });
  }
}
