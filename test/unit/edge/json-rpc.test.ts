import { describe, expect, it } from 'vitest';
import { negotiate } from '../../../src/edge/edge.js';
import { InFlight } from '../../../src/edge/in-flight.js';
import { classifyMessage } from '../../../src/edge/json-rpc.js';

describe('classifyMessage', () => {
  it('tells requests, notifications and responses apart', () => {
    expect(classifyMessage({ jsonrpc: '2.0', id: 1, method: 'ping' }).kind).toBe('request');
    expect(classifyMessage({ jsonrpc: '2.0', id: 'a', method: 'ping', params: {} }).kind).toBe('request');
    expect(classifyMessage({ jsonrpc: '2.0', method: 'notifications/initialized' }).kind).toBe('notification');
    expect(classifyMessage({ jsonrpc: '2.0', id: 1, result: {} }).kind).toBe('response');
    expect(classifyMessage({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } }).kind).toBe('response');
  });

  it('names what is wrong with an invalid message, keeping its id when it has one', () => {
    expect(classifyMessage({ id: 1, method: 'ping' })).toEqual({ kind: 'invalid', id: null, reason: 'not a JSON-RPC 2.0 message' });
    expect(classifyMessage({ jsonrpc: '2.0', id: 7, method: 'ping', params: [1] })).toEqual({ kind: 'invalid', id: 7, reason: 'params must be an object' });
    expect(classifyMessage({ jsonrpc: '2.0', id: null, method: 'ping' })).toEqual({ kind: 'invalid', id: null, reason: 'id must be a string or a number' });
    expect(classifyMessage({ jsonrpc: '2.0', id: 3 })).toEqual({ kind: 'invalid', id: 3, reason: 'a message needs a method, a result or an error' });
    expect(classifyMessage('ping').kind).toBe('invalid');
  });
});

describe('negotiate', () => {
  it('echoes a supported version and answers the latest otherwise', () => {
    expect(['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'].map(negotiate)).toEqual(['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);
    expect(negotiate('2099-01-01')).toBe('2025-11-25');
    expect(negotiate(undefined)).toBe('2025-11-25');
  });
});

describe('InFlight', () => {
  it('cancels by id (number and string ids apart), counts, and forgets finished calls', () => {
    const inFlight = new InFlight();
    const a = new AbortController();
    const b = new AbortController();
    const releaseA = inFlight.add(1, a);
    inFlight.add('1', b);
    expect(inFlight.size).toBe(2);
    expect(inFlight.cancel(1, 'stop')).toBe(true);
    expect([a.signal.aborted, a.signal.reason, b.signal.aborted]).toEqual([true, 'stop', false]);
    releaseA();
    releaseA();
    expect(inFlight.size).toBe(1);
    expect(inFlight.cancel(1, 'again')).toBe(false);
    inFlight.abortAll('shutdown');
    expect(b.signal.reason).toBe('shutdown');
  });

  it('aborts every call sharing an id (two clients may reuse one)', () => {
    const inFlight = new InFlight();
    const calls = [new AbortController(), new AbortController()];
    calls.forEach((c) => inFlight.add(5, c));
    inFlight.cancel(5, 'cancelled');
    expect(calls.map((c) => c.signal.aborted)).toEqual([true, true]);
  });
});
