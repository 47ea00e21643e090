import { parseSystemInfo, renderSystemInfo } from '../system-facts.js';
import { describeFsError, failure, success, type EdgeTool } from './tool.js';

const num = { type: 'number' };
const int = { type: 'integer' };

/** system_info: what an admin looks at first. */
export const systemInfoTool: EdgeTool = {
  name: 'system_info',
  title: 'System information',
  description:
    'Describe this device: hostname, OS release, kernel, architecture, uptime, load averages, memory, disks, ' +
    'CPU temperature (where the device has a sensor) and the Node.js version running the edge.',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  outputSchema: {
    type: 'object',
    properties: {
      hostname: { type: 'string' },
      os: { type: 'object', properties: { pretty_name: { type: 'string' }, id: { type: 'string' }, version_id: { type: 'string' } } },
      kernel: { type: 'string' },
      arch: { type: 'string' },
      uptime_s: int,
      load: { type: 'object', properties: { '1m': num, '5m': num, '15m': num } },
      memory: { type: 'object', properties: { total_bytes: int, available_bytes: int, free_bytes: int, swap_total_bytes: int, swap_free_bytes: int } },
      disks: { type: 'array', items: { type: 'object', properties: { mount: { type: 'string' }, filesystem: { type: 'string' }, type: { type: 'string' }, size_bytes: int, used_bytes: int, available_bytes: int } } },
      cpu_temperature_c: { type: ['number', 'null'] },
      node_version: { type: 'string' },
    },
    required: ['hostname', 'os', 'kernel', 'arch', 'uptime_s', 'load', 'memory', 'disks', 'cpu_temperature_c', 'node_version'],
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async call(_args, { system }) {
    try {
      const info = parseSystemInfo(await system.facts());
      return success(renderSystemInfo(info), info as unknown as Record<string, unknown>);
    } catch (error) {
      return failure(`system_info: ${describeFsError(error)}`);
    }
  },
};
