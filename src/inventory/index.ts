// The inventory module's public API: what the CLI, planner and hub import.
export type * from './generated-types.js';
export { parseInventory } from './parse.js';
export { loadInventory } from './load.js';
export type { LoadOptions } from './load.js';
export { selectDevices } from './select.js';
export type { Selection } from './select.js';
export { resolveDevices, DEFAULT_EDGE, DEFAULT_POLICY, DEFAULT_SSH } from './resolve.js';
export { resolveHub, parseListen, DEFAULT_AUDIT_LOG, DEFAULT_HUB_LISTEN } from './hub.js';
export { expandPath } from './paths.js';
export { formatKeyPath } from './source-map.js';
export { MAX_ALIAS_COUNT } from './yaml-source.js';
export { MAX_DEVICE_NAME_LENGTH } from './schema-messages.js';
export { ENV_VAR_NAME, looksLikeToken } from './secret-rules.js';
export { EDGE_TOOLS } from './types.js';
export type {
  Device,
  EdgeDevice,
  McpDevice,
  EdgeToolName,
  InventoryResult,
  ParseOptions,
  PathContext,
  ResolvedEdge,
  ResolvedHub,
  ResolvedPolicy,
  ResolvedSsh,
  SourceLocation,
} from './types.js';
