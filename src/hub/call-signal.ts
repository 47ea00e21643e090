/**
 * What the hub's own call path needs of a cancellation signal: whether it fired, why, and abort listeners.
 * An AbortSignal is one (the SDK hands the hub those); a CallCanceller is a lighter one, for the calls the
 * hub starts itself on every tool call, where an AbortController and Node's EventTarget listeners were a
 * measurable part of what a freshly started hub spent per call. Code that hands the signal on to the SDK or
 * to a Node API gives it a real AbortSignal instead (upstream.ts's `run` makes one that follows this).
 */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A CallSignal that `abort()` fires: each listener runs once, in the order added, on the first abort only
 * (a listener added twice runs once, as with EventTarget). A listener that throws does not keep the others
 * from running; `abort` then throws the first such error.
 */
export class CallCanceller implements CallSignal {
  private fired = false;
  private why: unknown = undefined;
  private listeners: Array<() => void> | undefined;

  get aborted(): boolean {
    return this.fired;
  }

  get reason(): unknown {
    return this.why;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.fired || this.listeners?.includes(listener)) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.listeners!.splice(at, 1);
  }

  abort(reason: unknown = new Error('cancelled')): void {
    if (this.fired) return;
    this.fired = true;
    this.why = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    let failure: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
