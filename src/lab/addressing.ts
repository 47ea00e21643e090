import { LanmcpError } from '../shared/errors.js';

/**
 * Names and addresses of a lab, all derived from its name and subnet index. Lab k's devices live on
 * 10.77.k.0/24: the bridge is .1 and device i is .(10+i). Interface names stay within Linux's 15 bytes,
 * which is why lab names are short.
 */
export const LAB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,7}$/;
export const DEFAULT_LAB = 'default';
export const MAX_DEVICES = 244;
const SUBNET_PREFIX = '10.77';

/** Throws E_USAGE unless `name` can name a lab (it becomes part of interface names). */
export function checkLabName(name: string): string {
  if (LAB_NAME_PATTERN.test(name)) return name;
  throw new LanmcpError('E_USAGE', `invalid lab name "${name}"`, {
    hint: 'a lab name is 1–8 characters: a lowercase letter, then lowercase letters, digits or "-"',
  });
}

/** Throws E_USAGE unless `count` is a whole number of devices a lab can hold. */
export function checkDeviceCount(count: number): number {
  if (Number.isInteger(count) && count >= 1 && count <= MAX_DEVICES) return count;
  throw new LanmcpError('E_USAGE', `invalid device count "${count}"`, { hint: `give a whole number from 1 to ${MAX_DEVICES}` });
}

/** The subnet index for a new lab: 0 for the default lab, else the lowest index no other lab or link uses. */
export function pickSubnetIndex(name: string, used: ReadonlySet<number>): number {
  if (name === DEFAULT_LAB && !used.has(0)) return 0;
  if (name === DEFAULT_LAB) {
    throw new LanmcpError('E_LAB_FAILED', `the default lab's subnet ${subnetCidr(0)} is already used on this machine`, {
      hint: 'see `ip -4 addr`; or start a lab under another name with `--name`',
    });
  }
  for (let index = 1; index <= 254; index += 1) if (!used.has(index)) return index;
  throw new LanmcpError('E_LAB_FAILED', `every subnet ${SUBNET_PREFIX}.1-254.0/24 is taken by another lab`, {
    hint: 'take a lab down with `lanmcp lab down --name NAME`',
  });
}

/** Subnet indexes of 10.77.k.x addresses found in `ip -o -4 addr` output. */
export function parseUsedSubnetIndexes(ipAddrOutput: string): number[] {
  const pattern = new RegExp(`\\binet ${SUBNET_PREFIX.replace('.', '\\.')}\\.(\\d+)\\.\\d+/`, 'g');
  return [...ipAddrOutput.matchAll(pattern)].map((match) => Number(match[1]));
}

export function subnetCidr(index: number): string {
  return `${SUBNET_PREFIX}.${index}.0/24`;
}

/** The bridge's address with prefix length, as `ip addr add` wants it. */
export function bridgeAddress(index: number): string {
  return `${SUBNET_PREFIX}.${index}.1/24`;
}

/** Address of device number `ordinal` (1-based). */
export function deviceAddress(index: number, ordinal: number): string {
  checkDeviceCount(ordinal);
  return `${SUBNET_PREFIX}.${index}.${10 + ordinal}`;
}

export function deviceName(ordinal: number): string {
  return `lab${ordinal}`;
}

/** Device ordinal of a `labN` name, or undefined. */
export function deviceOrdinal(name: string): number | undefined {
  const match = /^lab([1-9]\d*)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function bridgeName(lab: string): string {
  return `lmbr-${lab}`;
}

/** The host side of a device's veth pair (the device side is `eth0` in its namespace). */
export function vethName(lab: string, ordinal: number): string {
  return `lm-${lab}-${ordinal}`;
}

export function netnsName(lab: string, device: string): string {
  return `lanmcp-${lab}-${device}`;
}

/** nspawn's machine name: unique across labs, since nspawn keys its /run state by it. */
export function machineName(lab: string, device: string): string {
  return `lanmcp-${lab}-${device}`;
}
