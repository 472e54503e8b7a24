import type { Db } from '../../platform/sqlite';
import type { Envelope } from '../envelope';
import { EnvelopeCache } from './envelope-cache';

export interface PendingMessage {
  seq: number;
  envelope: Envelope;
}

/** What a relay needs from any outbox (a plain outbox table, or an event store whose stream is the outbox). */
export interface OutboxSource {
  /** Undispatched messages after `afterSeq` (0: from the first undispatched one), in commit order. */
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
 * The transactional outbox of a state-stored module: `add` runs inside the module's own better-sqlite3
 * transaction, so the state change and the event it causes commit together or not at all.
 * Dispatched rows are deleted: the table holds only what is still owed to the bus.
 */
export class SqliteOutbox implements OutboxSource, OutboxBacklogSource {
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly selectOne;
  private readonly count;
  private readonly oldest;
  private readonly loadOne = (seq: number): string => this.selectOne.get(seq) as string;
  private readonly cache = new EnvelopeCache();

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO outbox (message_id, envelope) VALUES (?, ?)');
    // Raw rows (arrays): cheaper for the driver to build than objects.
    this.select = db.prepare<[number, number], [seq: number, messageId: string]>('SELECT seq, message_id FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').raw();
    this.selectOne = db.prepare<[number], string>('SELECT envelope FROM outbox WHERE seq = ?').pluck();
    this.remove = db.prepare('DELETE FROM outbox WHERE seq <= ?');
    this.count = db.prepare<[], number>('SELECT COUNT(*) FROM outbox').pluck();
    this.oldest = db.prepare<[], string>(`SELECT json_extract(envelope, '$.occurredAt') FROM outbox ORDER BY seq LIMIT 1`).pluck();
  }

  add(envelope: Envelope): void {
    const json = JSON.stringify(envelope);
    this.cache.remember(Number(this.insert.run(envelope.id, json).lastInsertRowid), envelope.id, envelope);
  }

  pending(afterSeq: number, limit: number): PendingMessage[] {
    return this.select.all(afterSeq, limit).map(([seq, messageId]) => ({ seq, envelope: this.cache.read(seq, messageId, this.loadOne) }));
  }

  markDispatched(seq: number): void {
    this.remove.run(seq);
    this.cache.forgetUpTo(seq);
  }

  /** Dispatched rows are deleted, so every row is owed. */
  backlog(): { messages: number; oldestOccurredAt: string | null } {
    return { messages: this.count.get() ?? 0, oldestOccurredAt: this.oldest.get() ?? null };
  }
}
