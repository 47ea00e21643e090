import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { Artifacts } from './artifacts.js';
import { executeDevice, type DeviceResult } from './execute-device.js';
import type { DeviceInspection } from './inspect.js';
import type { TokenStore } from '../secrets/token-store.js';
import { toErrorData } from '../shared/errors.js';

export interface RunOptions {
  artifacts: Artifacts;
  tokens: TokenStore;
  forks: number;
  /** Live task list on a terminal; one plain line per step otherwise (CI logs). */
  interactive: boolean;
  stderr: NodeJS.WritableStream;
}

/** Executes every device's plan in parallel (at most `forks`); one failing device never stops the others. */
export async function runDevices(inspections: DeviceInspection[], options: RunOptions): Promise<DeviceResult[]> {
  const results = new Map<string, DeviceResult>();
  const output = new ProcessOutput(options.stderr as NodeJS.WriteStream, options.stderr as NodeJS.WriteStream);
  const logger = new ListrLogger({ processOutput: output });
  const tasks = new Listr(
    inspections.map((inspection) => ({
      title: `${inspection.plan.device}: ${inspection.plan.outcome}`,
      task: async (_ctx: unknown, task: { output: string; title: string }) => {
        const result = await executeDevice(inspection, { artifacts: options.artifacts, tokens: options.tokens, report: (step) => (task.output = step) })
          .catch((error: unknown): DeviceResult => ({ device: inspection.plan.device, status: 'failed', ok: 0, changed: 0, error: toErrorData(error) }));
        results.set(inspection.plan.device, result);
        task.title = `${inspection.plan.device}: ${result.status}${result.verify ? ` (edge ${result.verify.version} answers MCP, ${result.verify.tools.length} tools)` : ''}`;
        if (result.status === 'failed' || result.status === 'unreachable') throw new Error(`${inspection.plan.device}: ${result.error?.message ?? result.status}`);
      },
    })),
    {
      concurrent: options.forks,
      exitOnError: false,
      renderer: options.interactive ? 'default' : 'simple',
      fallbackRenderer: 'simple',
      rendererOptions: { logger },
      fallbackRendererOptions: { logger },
    },
  );
  await tasks.run().catch(() => undefined);
  return inspections.map((i) => results.get(i.plan.device)!);
}
