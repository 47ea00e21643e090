import type { DeviceOutcome, DevicePlan, Plan } from './types.js';

const OUTCOMES: DeviceOutcome[] = ['provision', 'update', 'remove', 'unchanged', 'unreachable', 'failed', 'blocked'];

/** Counts devices per outcome; the same numbers close every `diff` and `apply`. */
export function summarizePlan(devices: DevicePlan[]): Plan {
  const summary = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<DeviceOutcome, number>;
  for (const device of devices) summary[device.outcome] += 1;
  return { devices, summary };
}

/** Devices with something to do. */
export function hasChanges(plan: Plan): boolean {
  return plan.summary.provision + plan.summary.update + plan.summary.remove > 0;
}

/** Devices that could not be planned at all (unreachable, failed to inspect, or unable to run the edge). */
export function hasErrors(plan: Plan, options: { allowUnreachable: boolean }): boolean {
  return plan.summary.failed + plan.summary.blocked + (options.allowUnreachable ? 0 : plan.summary.unreachable) > 0;
}
