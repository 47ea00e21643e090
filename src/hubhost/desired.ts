import { sha256Hex } from '../shared/hash.js';
import { renderHubUnit } from './hub-unit.js';
import { HUB_LAYOUT } from './layout.js';
import type { DesiredHub, HubFile } from './types.js';

/** What the hub host runs: the bundle (by hash) and the unit template, as shipped with this lanmcp. */
export interface HubArtifactInfo {
  version: string;
  bundleSha256: string;
  unitTemplate: string;
}

export interface DesiredHubInput {
  host: string;
  address: string;
  port: number;
  tls: boolean;
  artifacts: HubArtifactInfo;
  configText: string;
  pendingCredentials: readonly string[];
  nodePath: string | undefined;
}

const textFile = (layout: { path: string; mode: number }, text: string, showDiff: boolean): HubFile => ({ path: layout.path, mode: layout.mode, sha256: sha256Hex(text), source: { kind: 'text', text }, showDiff });

/** Pure: the hub host's files. While tokens are pending (a diff before they exist), the config's hash is unknown. */
export function buildDesiredHub(input: DesiredHubInput): DesiredHub {
  const unit = renderHubUnit(input.artifacts.unitTemplate, {
    host: input.host,
    version: input.artifacts.version,
    node_path: input.nodePath ?? '/usr/bin/node',
    bundle_path: HUB_LAYOUT.bundle.path,
    config_path: HUB_LAYOUT.config.path,
    max_old_space_mb: 192,
  });
  const config = textFile(HUB_LAYOUT.config, input.configText, false);
  const hostPort = input.address.includes(':') ? `[${input.address}]:${input.port}` : `${input.address}:${input.port}`;
  return {
    host: input.host,
    address: input.address,
    base: `${input.tls ? 'https' : 'http'}://${hostPort}`,
    version: input.artifacts.version,
    pendingCredentials: [...input.pendingCredentials],
    files: [
      { path: HUB_LAYOUT.bundle.path, mode: HUB_LAYOUT.bundle.mode, sha256: input.artifacts.bundleSha256, source: { kind: 'artifact', name: 'hub.mjs' }, showDiff: false },
      input.pendingCredentials.length > 0 ? { ...config, sha256: '' } : config,
      textFile(HUB_LAYOUT.unit, unit, true),
    ],
  };
}
