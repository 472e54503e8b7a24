import { uuidv7Prefix } from '../../platform/ids';
import type { Db } from '../../platform/sqlite';

export const INBOX_SQL = `
CREATE TABLE inbox (
  group_name TEXT NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (group_name, message_id)
) WITHOUT ROWID;
`;

/**
 * The idempotent inbox: a consumer checks and records the message id in the same local transaction as its
 * state change, so a duplicate delivery changes nothing.
 */
export class Inbox {
  private readonly find;
  private readonly insert;
  private readonly tryInsert;

  private readonly groups;
  private readonly prune;

  constructor(db: Db) {
    this.groups = db.prepare<[], string>('SELECT DISTINCT group_name FROM inbox').pluck();
    this.prune = db.prepare('DELETE FROM inbox WHERE group_name = ? AND message_id IN (SELECT message_id FROM inbox WHERE group_name = ? AND message_id < ? LIMIT ?)');
    this.find = db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM inbox WHERE group_name = ? AND message_id = ?');
    this.insert = db.prepare('INSERT INTO inbox (group_name, message_id) VALUES (?, ?)');
    this.tryInsert = db.prepare('INSERT OR IGNORE INTO inbox (group_name, message_id) VALUES (?, ?)');
  }

  /**
   * Records the message and says whether this is its first delivery, in one statement. Call it first in
   * the transaction: if the handling then fails, the rollback takes the record with it.
   */
  claim(group: string, messageId: string): boolean {
    return this.tryInsert.run(group, messageId).changes === 1;
  }

  seen(group: string, messageId: string): boolean {
    return this.find.get(group, messageId) !== undefined;
  }

  /** Throws on a second record of the same id: call it only after `seen` said no, inside the transaction. */
  record(group: string, messageId: string): void {
    this.insert.run(group, messageId);
  }

  /**
   * Forgets, in each group, up to `limit` records of messages created before `before` (epoch ms). Message
   * ids are UUIDv7, whose text sorts by creation time, so the primary key alone finds them: no timestamp
   * column, nothing added to the claim. A duplicate of a forgotten message would be handled again, so
   * the window must outlast every redelivery (docs/operations.md, INBOX_RETENTION_MS). Returns how many went.
   */
  forgetOlderThan(before: number, limit: number): number {
    const bound = uuidv7Prefix(before);
    let n = 0;
    for (const group of this.groups.all()) n += this.prune.run(group, group, bound, limit).changes;
    return n;
  }
}

