import { StorageUnavailableError } from './errors';
import type { Db } from './sqlite';

const STORAGE_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHMSIZE', 'SQLITE_READONLY']);
const isStorageFailure = (e: unknown) => STORAGE_CODES.has((e as { code?: string }).code ?? '');

/** A commit the disk refused becomes one clear error naming the file; anything else stays as it was. */
function storageFailure(file: string, error: unknown): unknown {
  if (!isStorageFailure(error)) return error;
  const code = (error as { code: string }).code;
  const why = code === 'SQLITE_FULL' ? 'the disk holding it is full' : `the disk refused the write (${code})`;
  return new StorageUnavailableError(`${file}: ${why}; nothing of this request was stored. Free space (or fix the disk) and retry`, { cause: error });
}

/**
 * Work a store does once per transaction rather than once per write: `begin` runs at the start of every
 * attempt (a batch that fails is attempted again, isolated), `beforeCommit` after the batch's writes, both
 * inside the transaction. A write that threw in the isolated attempt has been rolled back by then.
 */
export interface TransactionHooks {
  begin?(): void;
  beforeCommit?(): void;
}

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes queued during one turn of the event loop share one SQLite transaction. A write
 * that throws rolls back alone (its promise rejects, so its message goes to retry) while the others
 * commit: the batch is first tried without savepoints, and if any write throws the attempt is rolled
 * back and the batch runs again with each write in its own savepoint. So each `fn` must be a function of
 * the database and its inputs only (it may run twice; only the committed run counts). Every promise
 * settles only after the commit: nothing is acknowledged that is not durable. Each `fn` is synchronous:
 * nothing can be awaited inside a transaction.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly commitBatch: (batch: Pending[]) => Array<{ ok: boolean; value: unknown }>;

  private readonly file: string;

  constructor(
    db: Db,
    private readonly maxBatch = 1_000,
    /** BEGIN IMMEDIATE: for a file another connection writes too, so a transaction never fails to upgrade its read lock. */
    immediate = false,
    hooks: TransactionHooks = {},
  ) {
    this.file = db.name;
    // Statements and transaction functions are made once: building them per write is a real cost.
    const savepoint = db.prepare('SAVEPOINT group_commit_item');
    const release = db.prepare('RELEASE group_commit_item');
    const rollback = db.prepare('ROLLBACK TO group_commit_item');
    // Fast path: no write in the batch fails (the common case), so no savepoints are needed.
    const begin = hooks.begin ?? (() => {});
    const beforeCommit = hooks.beforeCommit ?? (() => {});
    const optimisticTx = db.transaction((batch: Pending[]) => {
      begin();
      const results = batch.map((item) => ({ ok: true, value: item.fn() }));
      beforeCommit();
      return results;
    });
    const optimistic = immediate ? (batch: Pending[]) => optimisticTx.immediate(batch) : optimisticTx;
    // A write threw: the whole attempt was rolled back; run the batch again, each write in its own savepoint.
    const isolatedTx = db.transaction((batch: Pending[]) => {
      begin();
      const results = batch.map((item) => {
        savepoint.run();
        try {
          const value = item.fn();
          release.run();
          return { ok: true, value };
        } catch (error) {
          rollback.run();
          release.run();
          return { ok: false, value: error };
        }
      });
      beforeCommit();
      return results;
    });
    const isolated = immediate ? (batch: Pending[]) => isolatedTx.immediate(batch) : isolatedTx;
    this.commitBatch = (batch) => {
      try {
        return optimistic(batch);
      } catch (error) {
        if (isStorageFailure(error)) throw error; // no write of the batch can succeed now: isolating would not help
        return isolated(batch);
      }
    };
  }

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
      let results: Array<{ ok: boolean; value: unknown }>;
      try {
        results = this.commitBatch(batch);
      } catch (error) {
        const failure = storageFailure(this.file, error);
        for (const item of batch) item.reject(failure); // the commit itself failed: nothing of the batch is durable
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
