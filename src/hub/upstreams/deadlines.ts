/**
 * Per-call timeouts checked by one interval timer for the whole process, instead of a setTimeout and a
 * clearTimeout for every call: in a freshly started hub, Node's timer lists (one created and dropped per
 * call when calls come one at a time) were a measurable part of a call's cost. A deadline fires within
 * TICK_MS after it passes; call timeouts are seconds to minutes long. The timer runs only while a deadline
 * is pending (it stops at the first tick that finds none) and never keeps the process alive by itself.
 */
export const TICK_MS = 100;

export interface Deadline {
  /** performance.now() at which it fires. */
  at: number;
  readonly expire: () => void;
}

const pending = new Set<Deadline>();
let timer: NodeJS.Timeout | undefined;

function sweep(): void {
  if (pending.size === 0) {
    clearInterval(timer);
    timer = undefined;
    return;
  }
  const now = performance.now();
  for (const deadline of pending) {
    if (deadline.at > now) continue;
    pending.delete(deadline);
    deadline.expire();
  }
}

/** `expire` runs once, about `ms` from now, unless the deadline is cleared or moved first. */
export function setDeadline(ms: number, expire: () => void): Deadline {
  const deadline = { at: performance.now() + ms, expire };
  pending.add(deadline);
  if (!timer) {
    timer = setInterval(sweep, TICK_MS);
    timer.unref();
  }
  return deadline;
}

/** Starts the deadline's wait again, `ms` from now (a progress report restarts a call's timeout). */
export function moveDeadline(deadline: Deadline, ms: number): void {
  deadline.at = performance.now() + ms;
}

export function clearDeadline(deadline: Deadline): void {
  pending.delete(deadline);
}
