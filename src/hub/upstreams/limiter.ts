import type { CallSignal } from '../call-signal.js';

/**
 * A counting semaphore with a FIFO queue: at most `limit` calls run on one upstream, the rest wait, and a
 * waiter whose caller gives up (AbortSignal) leaves the queue. One slow device thus queues only its own calls.
 */
export function createLimiter(limit: number) {
  let running = 0;
  const queue: { grant: () => void; reject: (reason: unknown) => void }[] = [];

  function release(): void {
    running -= 1;
    const next = queue.shift();
    if (next) {
      running += 1;
      next.grant();
    }
  }

  return {
    get running() { return running; },
    get queued() { return queue.length; },
    /** A release function when a slot is free now (and the caller has not given up); undefined otherwise. */
    tryAcquire(signal?: CallSignal): (() => void) | undefined {
      if (signal?.aborted || running >= limit) return undefined;
      running += 1;
      let released = false;
      return () => { if (!released) { released = true; release(); } };
    },
    /** Resolves with a release function once a slot is free. */
    acquire(signal?: CallSignal): Promise<() => void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      let released = false;
      const once = () => { if (!released) { released = true; release(); } };
      if (running < limit) {
        running += 1;
        return Promise.resolve(once);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => { signal?.removeEventListener('abort', onAbort); resolve(once); },
          reject,
        };
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}

export type Limiter = ReturnType<typeof createLimiter>;

/** Delay before reconnect attempt `n` (0-based): doubling from `initialMs`, capped at `maxMs`, never giving up. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}
