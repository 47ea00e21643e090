import type { Connector } from '../remote/connector.js';
import { LanmcpError } from '../shared/errors.js';
import type { DeviceFacts } from '../plan/types.js';
import { renderFactsScript } from './facts-script.js';
import { parseFacts } from './parse-facts.js';

/** One read-only round trip (as root: the config is 0600) → the device's facts. */
export async function gatherFacts(connector: Connector): Promise<DeviceFacts> {
  const result = await connector.exec(renderFactsScript(), { become: true, timeoutMs: 30_000 });
  try {
    return parseFacts(result.stdout);
  } catch (cause) {
    throw new LanmcpError('E_REMOTE_COMMAND', `gathering facts on ${connector.label} failed (exit ${result.code}): ${result.stderr.trim() || 'no output'}`, {
      hint: 'the device needs a POSIX sh with coreutils (sha256sum, stat, base64)',
      cause,
    });
  }
}
