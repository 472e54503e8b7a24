import type { Db } from '../../platform/sqlite';
import type { Envelope } from '../envelope';
import type { Upcasters } from '../upcasters';
import { EnvelopeCache } from './envelope-cache';

export interface PendingMessage {
  seq: number;
  envelope: Envelope;
}

/** What a relay needs from any outbox (a plain outbox table, or an event store whose stream is the outbox). */
export interface OutboxSource {
  /**
   * Undispatched messages after `afterSeq` (0: from the first undispatched one), in commit order. With
   * `afterSeq` above 0 a source may answer from what it knows it wrote, without reading the file: a relay
   * reads from 0 when it starts, recovers, and on its safety poll.
   */
  pending(afterSeq: number, limit: number): PendingMessage[];
  /** Everything up to and including `seq` has been published (the transport took responsibility). */
  markDispatched(seq: number): void;
}

/** How much an outbox still owes the bus; read when metrics are scraped, never on the hot path. */
export interface OutboxBacklogSource {
  backlog(): { messages: number; oldestOccurredAt: string | null };
}

export const OUTBOX_SQL = `
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  envelope TEXT NOT NULL
);
`;

/**
 * The second outbox migration: published rows are kept as the module's event history (audit, read-model
 * rebuilds) behind a dispatch checkpoint, and indexed by message key (the reservation id). Rows left in an
 * older file are exactly the undispatched ones, so the checkpoint starts at 0.
 */
export const OUTBOX_HISTORY_SQL = `
CREATE TABLE outbox_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT INTO outbox_checkpoint VALUES (1, 0);
ALTER TABLE outbox ADD COLUMN message_key TEXT;
CREATE INDEX outbox_by_key ON outbox (message_key, seq);
`;

export interface HistoryRow {
  seq: number;
  /** Lifted to the contract versions the outbox's owner reads with (when it gave its upcasters). */
  envelope: Envelope;
  /** The version the row was written with (older than `envelope.version` when it was lifted). */
  storedVersion: number;
}

/**
 * The transactional outbox of a state-stored module: `add` runs inside the module's own better-sqlite3
 * transaction, so the state change and the event it causes commit together or not at all. Dispatched
 * rows stay, behind a checkpoint, as the module's event history (needs OUTBOX_SQL + OUTBOX_HISTORY_SQL).
 */
export class SqliteOutbox implements OutboxSource, OutboxBacklogSource {
  private readonly insert;
  private readonly select;
  private readonly checkpoint;
  private readonly selectOne;
  private readonly selectAfter;
  private readonly selectByKey;
  private readonly count;
  private readonly oldest;
  private readonly last;
  private readonly loadOne = (seq: number): string => this.selectOne.get(seq) as string;
  private readonly cache = new EnvelopeCache();

  /** `upcasters`: how the owner reads its own older rows back in `history` (publishing sends rows as written). */
  constructor(
    db: Db,
    private readonly upcasters: Upcasters | null = null,
  ) {
    this.insert = db.prepare('INSERT INTO outbox (message_id, envelope, message_key) VALUES (?, ?, ?)');
    // Raw rows (arrays): cheaper for the driver to build than objects.
    this.select = db
      .prepare<[number, number], [seq: number, messageId: string]>(
        'SELECT seq, message_id FROM outbox WHERE seq > MAX(?, (SELECT seq FROM outbox_checkpoint WHERE id = 1)) ORDER BY seq LIMIT ?',
      )
      .raw();
    this.selectOne = db.prepare<[number], string>('SELECT envelope FROM outbox WHERE seq = ?').pluck();
    this.checkpoint = db.prepare('UPDATE outbox_checkpoint SET seq = ? WHERE id = 1 AND seq < ?');
    this.selectAfter = db.prepare<[number, number], [seq: number, envelope: string]>('SELECT seq, envelope FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').raw();
    this.selectByKey = db.prepare<[string], [seq: number, envelope: string]>('SELECT seq, envelope FROM outbox WHERE message_key = ? ORDER BY seq').raw();
    // What is still owed: the rows after the dispatch checkpoint.
    this.count = db.prepare<[], number>('SELECT COUNT(*) FROM outbox WHERE seq > (SELECT seq FROM outbox_checkpoint WHERE id = 1)').pluck();
    this.oldest = db
      .prepare<[], string>(`SELECT json_extract(envelope, '$.occurredAt') FROM outbox WHERE seq > (SELECT seq FROM outbox_checkpoint WHERE id = 1) ORDER BY seq LIMIT 1`)
      .pluck();
    this.last = db.prepare<[], number | null>('SELECT MAX(seq) FROM outbox').pluck();
    this.cache.opened(this.lastSeq()); // a previous run's rows, left undispatched by a crash, are read
  }

  add(envelope: Envelope): void {
    const json = JSON.stringify(envelope);
    this.cache.remember(Number(this.insert.run(envelope.id, json, envelope.key).lastInsertRowid), envelope.id, envelope);
  }

  pending(afterSeq: number, limit: number): PendingMessage[] {
    // Nothing written since the relay's last read: at low load that was every second read (cache.newest says why).
    if (afterSeq > 0 && afterSeq >= this.cache.newest) return [];
    return this.select.all(afterSeq, limit).map(([seq, messageId]) => ({ seq, envelope: this.cache.read(seq, messageId, this.loadOne) }));
  }

  markDispatched(seq: number): void {
    this.checkpoint.run(seq, seq);
    this.cache.forgetUpTo(seq);
  }

  /** Every message written after `afterSeq`, dispatched or not, in commit order (a rebuild's feed). */
  history(afterSeq: number, limit: number): HistoryRow[] {
    return this.selectAfter.all(afterSeq, limit).map(this.toHistoryRow);
  }

  /** The newest message's seq, 0 while there is none (how far `history` goes today). */
  lastSeq(): number {
    return this.last.get() ?? 0;
  }

  /** Every message written with this key (the reservation id), in commit order (an audit trail). */
  historyOf(key: string): HistoryRow[] {
    return this.selectByKey.all(key).map(this.toHistoryRow);
  }

  private readonly toHistoryRow = ([seq, json]: [number, string]): HistoryRow => {
    const stored = JSON.parse(json) as Envelope;
    return { seq, envelope: this.upcasters ? this.upcasters.lift(stored) : stored, storedVersion: stored.version };
  };

  /** What the relay still owes the bus (published rows are kept as history behind the checkpoint). */
  backlog(): { messages: number; oldestOccurredAt: string | null } {
    return { messages: this.count.get() ?? 0, oldestOccurredAt: this.oldest.get() ?? null };
  }
}
