import type { Db } from '../../platform/sqlite';
import type { Envelope } from '../envelope';

export const SCHEDULED_RETRIES_SQL = `
CREATE TABLE scheduled_retries (
  group_name TEXT NOT NULL,
  message_id TEXT NOT NULL,
  envelope TEXT NOT NULL,
  round INTEGER NOT NULL,
  tries INTEGER NOT NULL,
  first_failed_at INTEGER,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (group_name, message_id)
) WITHOUT ROWID;
`;

export interface ScheduledRetry {
  group: string;
  envelope: Envelope;
  round: number;
  tries: number;
  firstFailedAt: number | null;
  dueAt: number;
}

interface Row {
  group_name: string;
  envelope: string;
  round: number;
  tries: number;
  first_failed_at: number | null;
  due_at: number;
}

/**
 * Delayed retries of the in-memory transport, kept in bus.db so that a crash while a message waits for its
 * next try loses nothing: the relay already marked it dispatched when the transport took responsibility.
 */
export class RetryStore {
  private readonly save;
  private readonly remove;
  private readonly all;

  constructor(db: Db) {
    this.save = db.prepare(`INSERT OR REPLACE INTO scheduled_retries VALUES (@group, @id, @envelope, @round, @tries, @first, @due)`);
    this.remove = db.prepare('DELETE FROM scheduled_retries WHERE group_name = ? AND message_id = ?');
    this.all = db.prepare<[], Row>('SELECT * FROM scheduled_retries ORDER BY due_at');
  }

  put(r: ScheduledRetry): void {
    this.save.run({ group: r.group, id: r.envelope.id, envelope: JSON.stringify(r.envelope), round: r.round, tries: r.tries, first: r.firstFailedAt, due: r.dueAt });
  }

  delete(group: string, messageId: string): void {
    this.remove.run(group, messageId);
  }

  load(): ScheduledRetry[] {
    return this.all.all().map((r) => ({
      group: r.group_name,
      envelope: JSON.parse(r.envelope) as Envelope,
      round: r.round,
      tries: r.tries,
      firstFailedAt: r.first_failed_at,
      dueAt: r.due_at,
    }));
  }
}
