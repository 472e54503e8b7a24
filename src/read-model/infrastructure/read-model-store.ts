import { existsSync } from 'node:fs';
import { Inbox } from '../../bus/inbox/inbox';
import { GroupCommit, type Outcome } from '../../platform/group-commit';
import { openDatabase, type Db } from '../../platform/sqlite';
import type { SourceName } from '../event-source';
import { OverviewTable } from './overview-table';
import { RebuildLog } from './rebuild-log';
import { READ_MODEL_MIGRATIONS } from './schema';

/** Everything the read model keeps in read-model.db, opened once. */
export class ReadModelStore {
  readonly inbox: Inbox;
  readonly overview: OverviewTable;
  readonly rebuilds: RebuildLog;
  /** Whether the file was created by this open (nothing was ever projected into it). */
  readonly created: boolean;
  private readonly writes: GroupCommit;
  private readonly st;
  /** The live generation as the current group-committed transaction read it (null: not read yet). */
  private txGeneration: number | null = null;
  /** Events folded by the current group-committed transaction, per generation and source: added to `feed` before it commits. */
  private readonly txFeed: Array<{ gen: number; source: SourceName; n: number }> = [];

  constructor(
    readonly db: Db,
    created = false,
  ) {
    this.created = created;
    this.inbox = new Inbox(db);
    this.overview = new OverviewTable(db);
    this.rebuilds = new RebuildLog(db);
    this.st = {
      live: db.prepare<[], number>('SELECT gen FROM live_generation WHERE id = 1').pluck(),
      setLive: db.prepare('UPDATE live_generation SET gen = ? WHERE id = 1'),
      bump: db.prepare('UPDATE feed SET applied = applied + ? WHERE gen = ? AND source = ?'),
      addFeed: db.prepare('INSERT OR IGNORE INTO feed (gen, source, applied) VALUES (?, ?, 0)'),
      feed: db.prepare<[number], [source: SourceName, applied: number]>('SELECT source, applied FROM feed WHERE gen = ?').raw(),
      gens: db.prepare<[], number>('SELECT DISTINCT gen FROM feed ORDER BY gen').pluck(),
      dropInbox: db.prepare('DELETE FROM inbox WHERE group_name = ? AND message_id IN (SELECT message_id FROM inbox WHERE group_name = ? LIMIT ?)'),
      dropFeed: db.prepare('DELETE FROM feed WHERE gen = ?'),
      maxGen: db.prepare<[], number>('SELECT MAX(gen) FROM (SELECT gen FROM feed UNION ALL SELECT gen FROM rebuilds UNION ALL SELECT gen FROM live_generation)').pluck(),
    };
    // IMMEDIATE: the writer thread and this connection (rebuilds, clean-up) both write the file. The feed's
    // counts of a transaction are added once, before it commits, instead of one statement per event.
    this.writes = new GroupCommit(db, undefined, true, {
      begin: () => {
        this.txGeneration = null;
        this.txFeed.length = 0;
      },
      beforeCommit: () => {
        for (const f of this.txFeed) this.st.bump.run(f.n, f.gen, f.source);
        this.txFeed.length = 0;
      },
    });
  }

  /**
   * `ownThread`: the projector thread's connection. It checkpoints inline (on that thread, which is what
   * the checkpoint worker is for), and the app's connection has created the file and its schema already.
   */
  static open(file: string, options: { ownThread?: boolean } = {}): ReadModelStore {
    const created = !existsSync(file);
    return new ReadModelStore(openDatabase(file, READ_MODEL_MIGRATIONS, options.ownThread ? { backgroundCheckpoints: false } : {}), created);
  }

  /** Runs `fn` in a savepoint of a transaction shared with the other writes of this event-loop turn (group commit). */
  write<T>(fn: () => T): Promise<T> {
    return this.writes.run(fn);
  }

  /** `items` written by `write` and committed now, in one transaction (see GroupCommit.commitNow): what each came to. */
  writeNow<I>(items: readonly I[], write: (item: I) => unknown): Outcome[] {
    return this.writes.commitNow(items, write);
  }

  /** Runs `fn` in one synchronous transaction of its own (nothing inside may await). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  liveGeneration(): number {
    return this.st.live.get() as number;
  }

  /**
   * The live generation, read once per group-committed transaction: only inside `write` or `writeNow`. The transaction
   * is IMMEDIATE, so a rebuild's switch (committed on another connection) cannot land while it runs: the
   * next transaction sees it.
   */
  liveGenerationInWrite(): number {
    return (this.txGeneration ??= this.liveGeneration());
  }

  /** Counts one event folded into `gen` from `source`, added to the feed when the transaction commits: only inside `write` or `writeNow`. */
  countInFeed(gen: number, source: SourceName): void {
    const f = this.txFeed.find((x) => x.gen === gen && x.source === source);
    if (f) f.n++;
    else this.txFeed.push({ gen, source, n: 1 });
  }

  setLiveGeneration(gen: number): void {
    this.st.setLive.run(gen);
  }

  addToFeed(gen: number, source: SourceName, n: number): void {
    this.st.bump.run(n, gen, source);
  }

  /** Registers a generation's checkpoint rows (all zero). */
  openFeed(gen: number, sources: readonly SourceName[]): void {
    for (const s of sources) this.st.addFeed.run(gen, s);
  }

  feed(gen: number): Partial<Record<SourceName, number>> {
    return Object.fromEntries(this.st.feed.all(gen));
  }

  /** Every generation that still has rows or checkpoints. */
  generations(): number[] {
    return this.st.gens.all();
  }

  /**
   * Deletes up to `limit` rows and inbox records of a generation; once none are left, its checkpoint
   * too. Returns how many went (0: the generation is gone).
   */
  dropSome(gen: number, inboxGroup: string, limit: number): number {
    const n = this.overview.dropSome(gen, limit) + this.st.dropInbox.run(inboxGroup, inboxGroup, limit).changes;
    return n > 0 ? n : this.st.dropFeed.run(gen).changes;
  }

  nextGeneration(): number {
    return (this.st.maxGen.get() ?? 1) + 1;
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }
}
