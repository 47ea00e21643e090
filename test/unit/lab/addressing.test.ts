import { describe, expect, it } from 'vitest';
import {
  bridgeName, checkDeviceCount, checkLabName, deviceAddress, deviceOrdinal, netnsName, parseUsedSubnetIndexes, pickSubnetIndex, vethName,
} from '../../../src/lab/addressing.js';

describe('lab addressing', () => {
  it('puts device k at .10+k of the lab subnet', () => {
    expect(deviceAddress(0, 1)).toBe('10.77.0.11');
    expect(deviceAddress(3, 20)).toBe('10.77.3.30');
    expect(deviceAddress(0, 244)).toBe('10.77.0.254');
    expect(() => deviceAddress(0, 245)).toThrow(/invalid device count/);
  });

  it('gives the default lab 10.77.0.0/24 and other labs the lowest free subnet', () => {
    expect(pickSubnetIndex('default', new Set())).toBe(0);
    expect(pickSubnetIndex('vitest', new Set([0]))).toBe(1);
    expect(pickSubnetIndex('bench', new Set([0, 1, 2, 4]))).toBe(3);
    expect(() => pickSubnetIndex('default', new Set([0]))).toThrow(/already used/);
    expect(() => pickSubnetIndex('x', new Set(Array.from({ length: 255 }, (_, i) => i)))).toThrow(/taken/);
  });

  it('reads the subnets in use from `ip -o -4 addr`', () => {
    const output = [
      '1: lo    inet 127.0.0.1/8 scope host lo',
      '2: eth0    inet 10.77.9.5/24 brd 10.77.9.255 scope global eth0',
      '7: lmbr-vitest    inet 10.77.1.1/24 scope global lmbr-vitest',
      '8: other    inet 110.77.4.1/24 scope global other',
    ].join('\n');
    expect(parseUsedSubnetIndexes(output)).toEqual([9, 1]);
  });

  it('keeps interface names within 15 bytes for the longest lab name and device number', () => {
    expect(bridgeName('abcdefgh').length).toBeLessThanOrEqual(15);
    expect(vethName('abcdefgh', 244)).toBe('lm-abcdefgh-244');
    expect(netnsName('vitest', 'lab2')).toBe('lanmcp-vitest-lab2');
  });

  it('rejects lab names that cannot become interface names, and bad counts', () => {
    expect(checkLabName('bench')).toBe('bench');
    for (const bad of ['', 'Bench', '9lab', 'toolongname', 'a b', 'a/b']) expect(() => checkLabName(bad)).toThrow(/invalid lab name/);
    for (const bad of [0, -1, 1.5, 245, Number.NaN]) expect(() => checkDeviceCount(bad)).toThrow(/invalid device count/);
  });

  it('maps device names back to ordinals', () => {
    expect(deviceOrdinal('lab12')).toBe(12);
    expect(deviceOrdinal('lab0')).toBeUndefined();
    expect(deviceOrdinal('labx')).toBeUndefined();
  });
});
