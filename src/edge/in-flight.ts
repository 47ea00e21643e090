import { requestKey, type RequestId } from './json-rpc.js';

/**
 * Running requests by JSON-RPC id, so a `notifications/cancelled` (in stateless HTTP a separate POST)
 * finds the call it names. Ids are chosen by clients and two clients may reuse one: a cancellation then
 * aborts every running call with that id (cancellation is best-effort in MCP, and all clients of an edge
 * hold the same token).
 */
export class InFlight {
  private readonly byId = new Map<string, Set<AbortController>>();
  private count = 0;

  add(id: RequestId, controller: AbortController): () => void {
    const key = requestKey(id);
    const set = this.byId.get(key) ?? new Set();
    set.add(controller);
    this.byId.set(key, set);
    this.count++;
    return () => {
      if (!set.delete(controller)) return;
      this.count--;
      if (set.size === 0) this.byId.delete(key);
    };
  }

  /** Aborts the calls with this id; false when none is running (already finished, or never existed). */
  cancel(id: RequestId, reason: string): boolean {
    const set = this.byId.get(requestKey(id));
    if (!set) return false;
    for (const controller of set) controller.abort(reason);
    return true;
  }

  abortAll(reason: string): void {
    for (const set of this.byId.values()) for (const controller of set) controller.abort(reason);
  }

  get size(): number {
    return this.count;
  }
}
