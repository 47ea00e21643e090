import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LanmcpError } from '../shared/errors.js';
import { sha256Hex } from '../shared/hash.js';
import { findPackageRoot } from '../shared/package-root.js';
import { LANMCP_VERSION } from '../shared/version.js';
import type { HubArtifactInfo } from './desired.js';

export interface HubArtifacts extends HubArtifactInfo {
  bundle: Uint8Array;
}

/** What this lanmcp ships to the hub host: the hub bundle (dist/hub.mjs) and its unit template. */
export async function loadHubArtifacts(): Promise<HubArtifacts> {
  const root = findPackageRoot();
  const [bundle, unitTemplate] = await Promise.all([
    readArtifact(join(root, 'dist', 'hub.mjs'), 'run `npm run build` in the lanmcp checkout'),
    readArtifact(join(root, 'templates', 'lanmcp-hub.service'), 'reinstall lanmcp: its templates/ folder is incomplete'),
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
