import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallCanceller } from '../../../src/hub/call-signal.js';
import { clearDeadline, moveDeadline, setDeadline, TICK_MS } from '../../../src/hub/upstreams/deadlines.js';

describe('CallCanceller (the direct call path\'s cancellation signal)', () => {
  it('fires each listener once, in order, on the first abort only; a removed one never', () => {
    const canceller = new CallCanceller();
    const heard: string[] = [];
    const removed = () => heard.push('removed');
    canceller.addEventListener('abort', () => heard.push('first'));
    canceller.addEventListener('abort', removed);
    canceller.addEventListener('abort', () => heard.push(`second: ${String(canceller.reason)}`));
    canceller.removeEventListener('abort', removed);
    expect(canceller.aborted).toBe(false);
    canceller.abort('the client closed the connection');
    canceller.abort('again');
    canceller.addEventListener('abort', () => heard.push('too late'));
    expect(heard).toEqual(['first', 'second: the client closed the connection']);
    expect([canceller.aborted, canceller.reason]).toEqual([true, 'the client closed the connection']);
    const plain = new CallCanceller();
    plain.abort();
    expect((plain.reason as Error).message).toBe('cancelled');
  });

  it('a listener added twice runs once; one that throws does not stop the others, and abort throws its error', () => {
    const canceller = new CallCanceller();
    const heard: string[] = [];
    const twice = () => heard.push('twice');
    canceller.addEventListener('abort', twice);
    canceller.addEventListener('abort', twice);
    canceller.addEventListener('abort', () => { throw new Error('listener bug'); });
    canceller.addEventListener('abort', () => heard.push('after the throw'));
    expect(() => canceller.abort('x')).toThrow('listener bug');
    expect(heard).toEqual(['twice', 'after the throw']);
    expect(canceller.aborted).toBe(true);
  });
});

describe('call deadlines (one interval timer for every call\'s timeout)', () => {
  afterEach(() => vi.useRealTimers());

  it('a deadline fires within a tick after it passes; moved, it waits again; cleared, never', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const fired: string[] = [];
    setDeadline(1000, () => fired.push('a'));
    const moved = setDeadline(1000, () => fired.push('moved'));
    const cleared = setDeadline(500, () => fired.push('cleared'));
    clearDeadline(cleared);
    vi.advanceTimersByTime(900);
    moveDeadline(moved, 1000);
    vi.advanceTimersByTime(100 + TICK_MS);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(900 + TICK_MS);
    expect(fired).toEqual(['a', 'moved']);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['a', 'moved']);
    // With nothing pending the interval has stopped.
    expect(vi.getTimerCount()).toBe(0);
  });
});
