import type { Db } from '../../platform/sqlite';
import { iso } from '../../platform/clock';
import { newId } from '../../platform/ids';
import type { DeadLetter, DeadLetterCount, DeadLetterFilter, DeadLetterInput, DeadLetterPage, DeadLetterStore, ReplayEntry } from './store';
import { deadLetterFilterSchema } from './store';

export const DEAD_LETTERS_SQL = `
CREATE TABLE dead_letters (
  id TEXT PRIMARY KEY,
  group_name TEXT NOT NULL,
  message_id TEXT NOT NULL,
  type TEXT NOT NULL,
  version INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  error_message TEXT NOT NULL,
  error_stack TEXT,
  attempts INTEGER NOT NULL,
  first_failed_at INTEGER NOT NULL,
  last_failed_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  replays TEXT NOT NULL DEFAULT '[]',
  UNIQUE (group_name, message_id)
);
CREATE INDEX dead_letters_status ON dead_letters (status, id);
`;

interface Row {
  id: string;
  group_name: string;
  message_id: string;
  type: string;
  version: number;
  envelope: string;
  error_message: string;
  error_stack: string | null;
  attempts: number;
  first_failed_at: number;
  last_failed_at: number;
  status: DeadLetter['status'];
  replays: string;
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  group: r.group_name,
  messageId: r.message_id,
  type: r.type,
  version: r.version,
  envelope: JSON.parse(r.envelope) as DeadLetter['envelope'],
  errorMessage: r.error_message,
  errorStack: r.error_stack,
  attempts: r.attempts,
  firstFailedAt: iso(r.first_failed_at),
  lastFailedAt: iso(r.last_failed_at),
  status: r.status,
  replays: JSON.parse(r.replays) as DeadLetter['replays'],
});

export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly upsert;
  private readonly byId;
  private readonly setReplays;
  private readonly setDiscarded;
  private readonly counts;

  constructor(private readonly db: Db) {
    // A message failing again after a replay keeps its record: attempts add up, the first failure stays.
    this.upsert = db.prepare(`
      INSERT INTO dead_letters (id, group_name, message_id, type, version, envelope, error_message, error_stack, attempts, first_failed_at, last_failed_at)
      VALUES (@id, @group, @messageId, @type, @version, @envelope, @message, @stack, @attempts, @first, @last)
      ON CONFLICT (group_name, message_id) DO UPDATE SET
        error_message = excluded.error_message, error_stack = excluded.error_stack,
        attempts = attempts + excluded.attempts, last_failed_at = excluded.last_failed_at, status = 'open'`);
    this.byId = db.prepare<[string], Row>('SELECT * FROM dead_letters WHERE id = ?');
    this.setReplays = db.prepare('UPDATE dead_letters SET replays = ?, status = ? WHERE id = ?');
    this.setDiscarded = db.prepare(`UPDATE dead_letters SET status = 'discarded' WHERE id = ?`);
    this.counts = db.prepare<[], DeadLetterCount>('SELECT group_name AS "group", status, COUNT(*) AS count FROM dead_letters GROUP BY group_name, status');
  }

  add(input: DeadLetterInput): void {
    const e = input.envelope;
    this.upsert.run({
      id: newId(),
      group: input.group,
      messageId: e.id,
      type: e.type,
      version: e.version,
      envelope: JSON.stringify(e),
      message: input.error.message,
      stack: input.error.stack ?? null,
      attempts: input.attempts,
      first: input.firstFailedAt,
      last: input.lastFailedAt,
    });
  }

  list(filter: DeadLetterFilter): DeadLetterPage {
    const f = deadLetterFilterSchema.parse(filter);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.group) (where.push('group_name = ?'), args.push(f.group));
    if (f.type) (where.push('type = ?'), args.push(f.type));
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.cursor) (where.push('id > ?'), args.push(f.cursor));
    const sql = `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    const rows = this.db.prepare<Array<string | number>, Row>(sql).all(...args, f.limit + 1);
    const items = rows.slice(0, f.limit).map(toDeadLetter);
    return { items, nextCursor: rows.length > f.limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  get(id: string): DeadLetter | null {
    const row = this.byId.get(id);
    return row ? toDeadLetter(row) : null;
  }

  recordReplay(id: string, entry: ReplayEntry): void {
    const current = this.byId.get(id);
    if (!current) return;
    const replays = [...(JSON.parse(current.replays) as ReplayEntry[]), entry];
    // A replay that dead-letters again has already reopened the record through `add`.
    const status = entry.outcome === 'dead-lettered' ? 'open' : 'replayed';
    this.setReplays.run(JSON.stringify(replays), status, id);
  }

  discard(id: string): void {
    this.setDiscarded.run(id);
  }

  countByGroup(): DeadLetterCount[] {
    return this.counts.all();
  }
}
