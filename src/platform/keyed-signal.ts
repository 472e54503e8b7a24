/**
 * Per-key notification ("reservation r1 changed"), so a listener for one key is not woken by the
 * commits of every other. Notified after the commit; a notification says "look again", never what changed.
 */
export class KeyedSignal {
  private readonly listeners = new Map<string, Set<() => void>>();

  on(key: string, fn: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  notify(key: string): void {
    const set = this.listeners.get(key);
    if (set) for (const fn of [...set]) fn();
  }

  /** How many listeners wait on `key` (or on any key): what a closed subscription must leave at zero. */
  listenerCount(key?: string): number {
    if (key !== undefined) return this.listeners.get(key)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /**
   * Yields at once, then after each notification of `key` (several while the consumer was busy count
   * as one), until `signal` aborts or the consumer stops. The listener is in place before the first
   * yield, so a change committed while the consumer reads is never missed: it only wakes it once more.
   */
  async *wakeups(key: string, signal?: AbortSignal): AsyncGenerator<void, void, undefined> {
    let dirty = true;
    let wake: (() => void) | null = null;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    const off = this.on(key, poke);
    signal?.addEventListener('abort', poke);
    try {
      for (;;) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (signal?.aborted) return;
        dirty = false;
        yield;
      }
    } finally {
      off();
      signal?.removeEventListener('abort', poke);
    }
  }
}
