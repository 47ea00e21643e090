import { loadShippedArtifacts } from '../apply/artifacts.js';
import type { HubArtifactInfo } from './desired.js';

export interface HubArtifacts extends HubArtifactInfo {
  bundle: Uint8Array;
}

/** What this lanmcp ships to the hub host: the hub bundle (dist/hub.mjs) and its unit template. */
export function loadHubArtifacts(): Promise<HubArtifacts> {
  return loadShippedArtifacts('hub.mjs', 'lanmcp-hub.service');
}
