import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Inbox } from '../../bus/inbox/inbox';
import { GroupCommit } from '../../platform/group-commit';
import { openDatabase, type Db } from '../../platform/sqlite';
import type { SourceName } from '../event-source';
import type { Facts } from '../facts';
import type { Derived, OverviewPaymentStatus } from '../overview';
import type { SagaState } from '../../saga/definition';
import { RebuildLog } from './rebuild-log';
import { READ_MODEL_MIGRATIONS } from './schema';

export interface OverviewFilter {
  status?: string | undefined;
  customerId?: string | undefined;
  resourceId?: string | undefined;
  paymentStatus?: OverviewPaymentStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A stored row as the queries read it: the facts (JSON) and the saga state derived when it was written. */
export type StoredRow = [id: string, facts: string, sagaState: SagaState | null];

/** Everything the read model keeps in read-model.db, opened once. */
export class ReadModelStore {
  readonly inbox: Inbox;
  readonly rebuilds: RebuildLog;
  /** Whether the file was created by this open (nothing was ever projected into it). */
  readonly created: boolean;
  private readonly writes: GroupCommit;
  private readonly st;
  private readonly lists = new Map<string, Database.Statement<Array<string | number>, StoredRow>>();

  constructor(
    readonly db: Db,
    created = false,
  ) {
    this.created = created;
    this.inbox = new Inbox(db);
    this.rebuilds = new RebuildLog(db);
    this.writes = new GroupCommit(db);
    this.st = {
      live: db.prepare<[], number>('SELECT gen FROM live_generation WHERE id = 1').pluck(),
      setLive: db.prepare('UPDATE live_generation SET gen = ? WHERE id = 1'),
      facts: db.prepare<[number, string], string>('SELECT facts FROM overview WHERE gen = ? AND id = ?').pluck(),
      put: db.prepare(
        `INSERT INTO overview (gen, id, status, customer_id, resource_id, payment_status, saga_state, created_at, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (gen, id) DO UPDATE SET status = excluded.status, customer_id = excluded.customer_id, resource_id = excluded.resource_id,
           payment_status = excluded.payment_status, saga_state = excluded.saga_state, created_at = excluded.created_at, facts = excluded.facts`,
      ),
      row: db.prepare<[number, string], StoredRow>('SELECT id, facts, saga_state FROM overview WHERE gen = ? AND id = ? AND status IS NOT NULL').raw(),
      all: db.prepare<[number], StoredRow>('SELECT id, facts, saga_state FROM overview WHERE gen = ? AND status IS NOT NULL ORDER BY id').raw(),
      bump: db.prepare('UPDATE feed SET applied = applied + ? WHERE gen = ? AND source = ?'),
      addFeed: db.prepare('INSERT OR IGNORE INTO feed (gen, source, applied) VALUES (?, ?, 0)'),
      feed: db.prepare<[number], [source: SourceName, applied: number]>('SELECT source, applied FROM feed WHERE gen = ?').raw(),
      gens: db.prepare<[], number>('SELECT DISTINCT gen FROM feed ORDER BY gen').pluck(),
      dropRows: db.prepare('DELETE FROM overview WHERE gen = ? AND id IN (SELECT id FROM overview WHERE gen = ? LIMIT ?)'),
      dropInbox: db.prepare('DELETE FROM inbox WHERE group_name = ? AND message_id IN (SELECT message_id FROM inbox WHERE group_name = ? LIMIT ?)'),
      dropFeed: db.prepare('DELETE FROM feed WHERE gen = ?'),
      maxGen: db.prepare<[], number>('SELECT MAX(gen) FROM (SELECT gen FROM feed UNION ALL SELECT gen FROM rebuilds UNION ALL SELECT gen FROM live_generation)').pluck(),
    };
  }

  static open(file: string): ReadModelStore {
    const created = !existsSync(file);
    return new ReadModelStore(openDatabase(file, READ_MODEL_MIGRATIONS), created);
  }

  /** Runs `fn` in a savepoint of a transaction shared with the other writes of this event-loop turn (group commit). */
  write<T>(fn: () => T): Promise<T> {
    return this.writes.run(fn);
  }

  /** Runs `fn` in one synchronous transaction of its own (nothing inside may await). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  liveGeneration(): number {
    return this.st.live.get() as number;
  }

  setLiveGeneration(gen: number): void {
    this.st.setLive.run(gen);
  }

  facts(gen: number, id: string): Facts | null {
    const json = this.st.facts.get(gen, id);
    return json === undefined ? null : (JSON.parse(json) as Facts);
  }

  put(gen: number, f: Facts, d: Derived): void {
    this.st.put.run(gen, f.reservationId, d.status, d.customerId, d.resourceId, d.paymentStatus, d.sagaState, d.createdAt, JSON.stringify(f));
  }

  row(gen: number, id: string): StoredRow | null {
    return this.st.row.get(gen, id) ?? null;
  }

  /** Every shown row of a generation, by id (checks and tests). */
  all(gen: number): StoredRow[] {
    return this.st.all.all(gen);
  }

  /** Newest first (ids are time-ordered); `limit` rows at most. The cursor is the last id of the previous page. */
  list(gen: number, f: OverviewFilter): StoredRow[] {
    const where: string[] = ['gen = ?', 'status IS NOT NULL'];
    const args: Array<string | number> = [gen];
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.customerId) (where.push('customer_id = ?'), args.push(f.customerId));
    if (f.resourceId) (where.push('resource_id = ?'), args.push(f.resourceId));
    if (f.paymentStatus) (where.push('payment_status = ?'), args.push(f.paymentStatus));
    if (f.from) (where.push('created_at >= ?'), args.push(f.from));
    if (f.to) (where.push('created_at < ?'), args.push(f.to));
    if (f.cursor) (where.push('id < ?'), args.push(f.cursor));
    const sql = `SELECT id, facts, saga_state FROM overview ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    let statement = this.lists.get(sql);
    if (!statement) this.lists.set(sql, (statement = this.db.prepare<Array<string | number>, StoredRow>(sql).raw()));
    return statement.all(...args, f.limit);
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
    const n = this.st.dropRows.run(gen, gen, limit).changes + this.st.dropInbox.run(inboxGroup, inboxGroup, limit).changes;
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
