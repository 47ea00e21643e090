import { checkLabName, deviceAddress, deviceName, subnetCidr } from './addressing.js';
import { runningSupervisor } from './boot.js';
import { devicePaths } from './device.js';
import { labPaths, listDeviceOrdinals, loadLabState } from './state.js';

/** One device's row in `lanmcp lab status`. */
export interface DeviceStatus {
  name: string;
  address: string;
  running: boolean;
  /** The supervisor's PID while it runs. */
  pid: number | null;
}

export interface LabStatus {
  name: string;
  /** Whether the lab has state on this machine (it was brought up and not taken down). */
  exists: boolean;
  subnet: string | null;
  inventory: string | null;
  devices: DeviceStatus[];
}

/** The lab's devices and whether each runs, read from its state directory and /proc. */
export async function loadLabStatus(name: string): Promise<LabStatus> {
  const state = await loadLabState(checkLabName(name));
  if (!state) return { name, exists: false, subnet: null, inventory: null, devices: [] };
  const paths = labPaths(name);
  const devices = await Promise.all((await listDeviceOrdinals(name)).map(async (ordinal) => {
    const device = deviceName(ordinal);
    const pid = await runningSupervisor(devicePaths(paths.dir, device));
    return { name: device, address: deviceAddress(state.subnet_index, ordinal), running: pid !== undefined, pid: pid ?? null };
  }));
  return { name, exists: true, subnet: subnetCidr(state.subnet_index), inventory: paths.inventory, devices };
}

/** The human view of a status: one line per device. */
export function renderLabStatus(status: LabStatus): string {
  if (!status.exists) return `lab "${status.name}" is not running\n`;
  const running = status.devices.filter((d) => d.running).length;
  const lines = status.devices.map((d) => `  ${d.name.padEnd(7)} ${d.address.padEnd(13)} ${d.running ? 'running' : 'stopped'}`);
  return [`lab "${status.name}" on ${status.subnet}: ${running}/${status.devices.length} devices running`, ...lines, `inventory: ${status.inventory}`, ''].join('\n');
}
