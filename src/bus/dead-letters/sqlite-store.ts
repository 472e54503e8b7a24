import type { Db } from '../../platform/sqlite';
import { iso } from '../../platform/clock';
import { newId } from '../../platform/ids';
import { errorTypeFromStack, fingerprintOf } from './fingerprint';
import type { DeadLetter, DeadLetterCount, DeadLetterFilter, DeadLetterGroup, DeadLetterInput, DeadLetterPage, DeadLetterStore, ReplayEntry } from './store';
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

/**
 * bus.db migration 2: each dead letter's error type and failure fingerprint. Rows stored before it get
 * theirs when the store opens (see `backfillFingerprints`): normalising stack frames needs code, not SQL.
 */
export const DEAD_LETTER_FINGERPRINTS_SQL = `
ALTER TABLE dead_letters ADD COLUMN error_type TEXT NOT NULL DEFAULT '';
ALTER TABLE dead_letters ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX dead_letters_fingerprint ON dead_letters (fingerprint, status);
`;

/** Told, inside the transaction that stored it, which record a dead letter went to and its fingerprint. */
export type DeadLetterAdded = (added: { id: string; fingerprint: string }) => void;

interface Row {
  id: string;
  group_name: string;
  message_id: string;
  type: string;
  version: number;
  envelope: string;
  error_message: string;
  error_stack: string | null;
  error_type: string;
  fingerprint: string;
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
  errorType: r.error_type,
  fingerprint: r.fingerprint,
  attempts: r.attempts,
  firstFailedAt: iso(r.first_failed_at),
  lastFailedAt: iso(r.last_failed_at),
  status: r.status,
  replays: JSON.parse(r.replays) as DeadLetter['replays'],
});

interface GroupRow {
  fingerprint: string;
  count: number;
  first_seen: number;
  last_seen: number;
  group_name: string;
  type: string;
  error_type: string;
  sample_id: string;
  sample_message: string;
  sample_stack: string | null;
}

export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly upsert;
  private readonly byId;
  private readonly setReplays;
  private readonly setDiscarded;
  private readonly byFingerprint;
  private readonly addAndTell;
  private readonly counts;

  constructor(
    private readonly db: Db,
    onAdded: DeadLetterAdded = () => {},
  ) {
    // A message failing again after a replay keeps its record: attempts add up, the first failure stays,
    // and it joins the group of its latest failure.
    this.upsert = db.prepare<[Record<string, string | number | null>], { id: string }>(`
      INSERT INTO dead_letters (id, group_name, message_id, type, version, envelope, error_message, error_stack, error_type, fingerprint, attempts, first_failed_at, last_failed_at)
      VALUES (@id, @group, @messageId, @type, @version, @envelope, @message, @stack, @errorType, @fingerprint, @attempts, @first, @last)
      ON CONFLICT (group_name, message_id) DO UPDATE SET
        error_message = excluded.error_message, error_stack = excluded.error_stack, error_type = excluded.error_type, fingerprint = excluded.fingerprint,
        attempts = attempts + excluded.attempts, last_failed_at = excluded.last_failed_at, status = 'open'
      RETURNING id`);
    this.byId = db.prepare<[string], Row>('SELECT * FROM dead_letters WHERE id = ?');
    this.setReplays = db.prepare('UPDATE dead_letters SET replays = ?, status = ? WHERE id = ?');
    this.setDiscarded = db.prepare(`UPDATE dead_letters SET status = 'discarded' WHERE id = ?`);
    // One row per fingerprint; the sample is its most recent open dead letter.
    this.byFingerprint = db.prepare<[], GroupRow>(`
      SELECT g.fingerprint, g.count, g.first_seen, g.last_seen, d.group_name, d.type, d.error_type,
             d.id AS sample_id, d.error_message AS sample_message, d.error_stack AS sample_stack
      FROM (SELECT fingerprint, COUNT(*) AS count, MIN(first_failed_at) AS first_seen, MAX(last_failed_at) AS last_seen
            FROM dead_letters WHERE status = 'open' GROUP BY fingerprint) g
      JOIN dead_letters d ON d.id = (SELECT id FROM dead_letters WHERE fingerprint = g.fingerprint AND status = 'open' ORDER BY last_failed_at DESC, id DESC LIMIT 1)
      ORDER BY g.last_seen DESC, g.fingerprint`);
    this.addAndTell = db.transaction((row: Record<string, string | number | null>, fingerprint: string) => {
      const stored = this.upsert.get(row);
      if (stored) onAdded({ id: stored.id, fingerprint });
    });
    backfillFingerprints(db);
    this.counts = db.prepare<[], DeadLetterCount>('SELECT group_name AS "group", status, COUNT(*) AS count FROM dead_letters GROUP BY group_name, status');
  }

  add(input: DeadLetterInput): void {
    const e = input.envelope;
    const facts = { group: input.group, type: e.type, errorType: input.error.name, errorMessage: input.error.message, errorStack: input.error.stack ?? null };
    const { fingerprint } = fingerprintOf(facts);
    const row = {
      id: newId(),
      group: input.group,
      messageId: e.id,
      type: e.type,
      version: e.version,
      envelope: JSON.stringify(e),
      message: facts.errorMessage,
      stack: facts.errorStack,
      errorType: facts.errorType,
      fingerprint,
      attempts: input.attempts,
      first: input.firstFailedAt,
      last: input.lastFailedAt,
    };
    this.addAndTell(row, fingerprint);
  }

  groups(): DeadLetterGroup[] {
    return this.byFingerprint.all().map((g) => ({
      fingerprint: g.fingerprint,
      count: g.count,
      firstSeen: iso(g.first_seen),
      lastSeen: iso(g.last_seen),
      group: g.group_name,
      type: g.type,
      errorType: g.error_type,
      sampleId: g.sample_id,
      sampleMessage: g.sample_message,
      frames: fingerprintOf({ group: g.group_name, type: g.type, errorType: g.error_type, errorMessage: g.sample_message, errorStack: g.sample_stack }).frames,
    }));
  }

  list(filter: DeadLetterFilter): DeadLetterPage {
    const f = deadLetterFilterSchema.parse(filter);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.group) (where.push('group_name = ?'), args.push(f.group));
    if (f.type) (where.push('type = ?'), args.push(f.type));
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.fingerprint) (where.push('fingerprint = ?'), args.push(f.fingerprint));
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

/**
 * Gives records stored before migration 2 their error type (read from the stack header) and fingerprint.
 * Runs at every open and finds nothing to do after the first; it also catches rows an older process
 * sharing the file wrote after the upgrade (the columns' defaults let it).
 */
function backfillFingerprints(db: Db): void {
  const missing = db
    .prepare<[], Pick<Row, 'id' | 'group_name' | 'type' | 'error_message' | 'error_stack'>>(`SELECT id, group_name, type, error_message, error_stack FROM dead_letters WHERE fingerprint = ''`)
    .all();
  if (missing.length === 0) return;
  const set = db.prepare('UPDATE dead_letters SET error_type = ?, fingerprint = ? WHERE id = ?');
  db.transaction(() => {
    for (const r of missing) {
      const errorType = errorTypeFromStack(r.error_stack);
      const { fingerprint } = fingerprintOf({ group: r.group_name, type: r.type, errorType, errorMessage: r.error_message, errorStack: r.error_stack });
      set.run(errorType, fingerprint, r.id);
    }
  })();
}
