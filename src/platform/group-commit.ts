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

/**
 * Commit rounds a saga's steps can follow within one turn of the event loop. Five carry a choreography saga
 * from its create to its end (reservation, payment, provider, payment, reservation); orchestration adds
 * the saga log's commits. Bounded, so that I/O (HTTP requests, the writer thread's answers) still gets a
 * turn under a steady stream of writes.
 */
const MAX_ROUNDS = 8;
/**
 * Time a turn may spend in rounds before the rest waits for the next turn. At half load a round takes a
 * fraction of a millisecond; at full load one round is a large batch, and without a bound eight of them
 * held the event loop many times longer than a turn did before, and HTTP requests and the writer thread's
 * answers waited as long (docs/performance.md).
 */
const ROUND_BUDGET_MS = 5;
/**
 * Microtask turns a round waits for the writes its commits cause. A commit's continuations (the relay's
 * publish, the next module's handler) queue their writes within a few turns (docs/performance.md counts
 * them); a write queued later is not lost, it is committed in the next turn of the event loop, as before.
 */
const MICROTASK_TURNS = 16;

/** This thread's group commits with writes queued and none committing yet, in the order they queued. */
let due: GroupCommit[] = [];
let roundsScheduled = false;

function commitSoon(commit: GroupCommit): void {
  due.push(commit);
  if (!roundsScheduled) {
    roundsScheduled = true;
    setImmediate(commitRounds);
  }
}

/**
 * Commits every queued batch of this thread in one check-phase callback, in rounds: after a round's commits,
 * the microtasks they released run (the writes' callers go on, the relay publishes, handlers queue the next
 * writes), and what they queued is committed in the next round instead of a whole event-loop turn later.
 * Each store still commits what queued before its flush as one transaction, and every promise still
 * settles only after its commit; only the wait between a saga's steps is shorter. Bounded by rounds and by
 * time, so a turn under full load is about as long as before (docs/performance.md has the runs).
 */
async function commitRounds(): Promise<void> {
  const started = performance.now();
  try {
    for (let round = 1; due.length > 0; round++) {
      const committing = due;
      due = [];
      for (const commit of committing) commit.flush();
      if (round === MAX_ROUNDS || performance.now() - started >= ROUND_BUDGET_MS) break;
      for (let turn = 0; turn < MICROTASK_TURNS; turn++) await null;
    }
  } finally {
    roundsScheduled = false;
    // Whatever queued after the last round (or a flush that threw) commits in the next turn.
    if (due.length > 0) {
      roundsScheduled = true;
      setImmediate(commitRounds);
    }
  }
}

/** One write of a batch: `run` queues these with their promise's callbacks, `commitNow` without. */
interface Write {
  fn: () => unknown;
}

interface Pending extends Write {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What one write of a batch came to: what it returned, or (ok false) what it threw. */
export interface Outcome {
  ok: boolean;
  value: unknown;
}

/**
 * Group commit: writes queued together share one SQLite transaction (those of one turn of the event loop,
 * or of one of `commitRounds`' rounds when a commit's callers queued them). A write
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
  private readonly commitBatch: (batch: Write[]) => Outcome[];

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
    const optimisticTx = db.transaction((batch: Write[]): Outcome[] => {
      begin();
      const results = batch.map((item) => ({ ok: true, value: item.fn() }));
      beforeCommit();
      return results;
    });
    const optimistic = immediate ? (batch: Write[]) => optimisticTx.immediate(batch) : optimisticTx;
    // A write threw: the whole attempt was rolled back; run the batch again, each write in its own savepoint.
    const isolatedTx = db.transaction((batch: Write[]): Outcome[] => {
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
    const isolated = immediate ? (batch: Write[]) => isolatedTx.immediate(batch) : isolatedTx;
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
        commitSoon(this);
      }
    });
  }

  /** Commits whatever is queued now (also called before the database closes). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const results = this.commitOrFail(batch);
      batch.forEach((item, i) => {
        const r = results[i] as Outcome;
        if (r.ok) item.resolve(r.value);
        else item.reject(r.value);
      });
    }
  }

  /**
   * Commits `items` now, each written by `write`, in one transaction (per `maxBatch`) with the same rules as
   * `run`: a write that throws rolls back alone. Answers, in order, what each write came to; where the commit
   * itself failed, each of its writes failed with that error. For a caller that gathered its writes already
   * (the writer thread, one message at a time): no promise per write, and nothing waits for a later turn.
   * Whatever `run` queued before commits first, so writes still commit in the order they were made.
   */
  commitNow<I>(items: readonly I[], write: (item: I) => unknown): Outcome[] {
    this.flush();
    const outcomes: Outcome[] = [];
    for (let from = 0; from < items.length; from += this.maxBatch) {
      const batch = items.slice(from, from + this.maxBatch).map((item): Write => ({ fn: () => write(item) }));
      for (const r of this.commitOrFail(batch)) outcomes.push(r);
    }
    return outcomes;
  }

  /** The batch committed: each write's outcome, or, where the commit itself failed, that failure for every write (nothing of it is durable). */
  private commitOrFail(batch: Write[]): Outcome[] {
    try {
      return this.commitBatch(batch);
    } catch (error) {
      const failure: Outcome = { ok: false, value: storageFailure(this.file, error) };
      return batch.map(() => failure);
    }
  }
}
