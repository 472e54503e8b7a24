import type { Db } from './sqlite';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes queued during one turn of the event loop share one SQLite transaction, each
 * inside its own savepoint. A write that throws rolls back alone (its promise rejects, so its message
 * goes to retry) while the others commit; every promise settles only after the commit, so nothing is
 * acknowledged that is not durable. Each `fn` is synchronous: nothing can be awaited inside a transaction.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 1_000,
  ) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (also called before the database closes). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const results: Array<{ ok: boolean; value: unknown }> = [];
      try {
        this.db.transaction(() => {
          for (const item of batch) {
            try {
              results.push({ ok: true, value: this.db.transaction(item.fn)() }); // nested: a savepoint
            } catch (error) {
              results.push({ ok: false, value: error });
            }
          }
        })();
      } catch (error) {
        for (const item of batch) item.reject(error); // the commit itself failed: nothing of the batch is durable
        continue;
      }
      batch.forEach((item, i) => {
        const r = results[i] as { ok: boolean; value: unknown };
        if (r.ok) item.resolve(r.value);
        else item.reject(r.value);
      });
    }
  }
}
