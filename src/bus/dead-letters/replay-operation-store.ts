import { iso } from '../../platform/clock';
import type { Db } from '../../platform/sqlite';
import type { DeadLetterAdded } from './sqlite-store';
import { FAILURES_SHOWN, operationFilterSchema, type ItemOutcome, type OperationFilter, type OperationStatus, type ReplayOperation } from './replay-operation';

/**
 * bus.db migration 2 (with the fingerprint columns): group replays and the dead letters each one took.
 * Items are processed in `position` order, so the next one is always `done + 1`; `current_item` is the
 * dead letter being replayed right now (a crash leaves it set, and that item is replayed again).
 */
export const REPLAY_OPERATIONS_SQL = `
CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  group_name TEXT NOT NULL,
  type TEXT NOT NULL,
  error_type TEXT NOT NULL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  new_failures INTEGER NOT NULL DEFAULT 0,
  current_item TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  error TEXT
);
CREATE INDEX operations_status ON operations (status, fingerprint);
CREATE TABLE operation_items (
  operation_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  dead_letter_id TEXT NOT NULL,
  outcome TEXT,
  error TEXT,
  PRIMARY KEY (operation_id, position)
) WITHOUT ROWID;
`;

interface Row {
  id: string;
  fingerprint: string;
  group_name: string;
  type: string;
  error_type: string;
  status: OperationStatus;
  total: number;
  done: number;
  failed: number;
  new_failures: number;
  started_at: number;
  ended_at: number | null;
  error: string | null;
}

export interface GroupFacts {
  group: string;
  type: string;
  errorType: string;
}

export type CreateResult = { kind: 'created'; total: number } | { kind: 'already-running'; id: string } | { kind: 'nothing-open' };

export class ReplayOperationStore {
  private readonly byId;
  private readonly statusById;
  private readonly failuresOf;
  private readonly runningFor;
  private readonly insert;
  private readonly snapshot;
  private readonly factsOf;
  private readonly itemAt;
  private readonly setCurrent;
  private readonly setOutcome;
  private readonly advance;
  private readonly end;
  private readonly bumpNewFailures;
  private readonly running;
  private readonly createTx;
  private readonly recordTx;

  constructor(private readonly db: Db) {
    this.byId = db.prepare<[string], Row>('SELECT * FROM operations WHERE id = ?');
    this.statusById = db.prepare<[string], { status: OperationStatus }>('SELECT status FROM operations WHERE id = ?');
    this.failuresOf = db.prepare<[string, number], { dead_letter_id: string; error: string | null }>(
      `SELECT dead_letter_id, error FROM operation_items WHERE operation_id = ? AND outcome = 'failed' ORDER BY position LIMIT ?`,
    );
    this.runningFor = db.prepare<[string], { id: string }>(`SELECT id FROM operations WHERE status = 'running' AND fingerprint = ? LIMIT 1`);
    this.insert = db.prepare(`
      INSERT INTO operations (id, kind, fingerprint, group_name, type, error_type, status, total, started_at)
      VALUES (@id, 'replay-group', @fingerprint, @group, @type, @errorType, 'running', @total, @now)`);
    this.snapshot = db.prepare(`
      INSERT INTO operation_items (operation_id, position, dead_letter_id)
      SELECT ?, ROW_NUMBER() OVER (ORDER BY id), id FROM dead_letters WHERE fingerprint = ? AND status = 'open'`);
    this.factsOf = db.prepare<[string], { group_name: string; type: string; error_type: string }>(
      'SELECT group_name, type, error_type FROM dead_letters WHERE fingerprint = ? LIMIT 1',
    );
    this.itemAt = db.prepare<[string, number], { dead_letter_id: string }>('SELECT dead_letter_id FROM operation_items WHERE operation_id = ? AND position = ?');
    this.setCurrent = db.prepare('UPDATE operations SET current_item = ? WHERE id = ?');
    this.setOutcome = db.prepare('UPDATE operation_items SET outcome = ?, error = ? WHERE operation_id = ? AND position = ?');
    // Guarded by the position: a second runner of the same operation (a process thought dead) cannot count twice.
    this.advance = db.prepare('UPDATE operations SET done = done + 1, failed = failed + ?, current_item = NULL WHERE id = ? AND done = ?');
    // Only a running operation ends: whichever of cancel, completion or failure comes first wins.
    this.end = db.prepare(`UPDATE operations SET status = ?, ended_at = ?, error = ?, current_item = NULL WHERE id = ? AND status = 'running'`);
    this.bumpNewFailures = db.prepare(
      `UPDATE operations SET new_failures = new_failures + 1 WHERE status = 'running' AND fingerprint = ? AND (current_item IS NULL OR current_item <> ?)`,
    );
    this.running = db.prepare<[], { id: string; group_name: string }>(`SELECT id, group_name FROM operations WHERE status = 'running' ORDER BY id`);
    this.createTx = db.transaction((id: string, fingerprint: string, facts: GroupFacts, now: number): CreateResult => {
      const other = this.runningFor.get(fingerprint);
      if (other) return { kind: 'already-running', id: other.id };
      const total = this.snapshot.run(id, fingerprint).changes;
      if (total === 0) return { kind: 'nothing-open' };
      this.insert.run({ id, fingerprint, ...facts, total, now });
      return { kind: 'created', total };
    });
    this.recordTx = db.transaction((id: string, position: number, outcome: ItemOutcome, error: string | null): boolean => {
      if (this.advance.run(outcome === 'failed' ? 1 : 0, id, position - 1).changes === 0) return false;
      this.setOutcome.run(outcome, error, id, position);
      return true;
    });
  }

  /** Group, type and error type of a fingerprint (the same for every dead letter that has it), if any has it. */
  facts(fingerprint: string): GroupFacts | null {
    const r = this.factsOf.get(fingerprint);
    return r ? { group: r.group_name, type: r.type, errorType: r.error_type } : null;
  }

  /** Records the operation with a snapshot of the group's open dead letters, in one write transaction. */
  create(id: string, fingerprint: string, facts: GroupFacts, now: number): CreateResult {
    return this.createTx.immediate(id, fingerprint, facts, now);
  }

  get(id: string): ReplayOperation | null {
    const row = this.byId.get(id);
    return row ? this.toOperation(row) : null;
  }

  statusOf(id: string): OperationStatus | null {
    return this.statusById.get(id)?.status ?? null;
  }

  list(filter: OperationFilter): ReplayOperation[] {
    const f = operationFilterSchema.parse(filter);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.fingerprint) (where.push('fingerprint = ?'), args.push(f.fingerprint));
    const sql = `SELECT * FROM operations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare<Array<string | number>, Row>(sql).all(...args, f.limit).map((r) => this.toOperation(r));
  }

  /** Operations still running (after a restart: the ones to resume), with the group each replays to. */
  runningOperations(): Array<{ id: string; group: string }> {
    return this.running.all().map((r) => ({ id: r.id, group: r.group_name }));
  }

  /** The next dead letter to replay, or null when every item is done. */
  next(id: string): { position: number; deadLetterId: string } | null {
    const op = this.byId.get(id);
    if (!op) return null;
    const item = this.itemAt.get(id, op.done + 1);
    return item ? { position: op.done + 1, deadLetterId: item.dead_letter_id } : null;
  }

  markCurrent(id: string, deadLetterId: string): void {
    this.setCurrent.run(deadLetterId, id);
  }

  /**
   * One item's outcome and the operation's counters, together: progress survives a restart item by item.
   * False if the operation is already past this item (another runner recorded it).
   */
  record(id: string, position: number, outcome: ItemOutcome, error: string | null): boolean {
    return this.recordTx(id, position, outcome, error);
  }

  /** Ends a running operation; false if it had already ended. */
  finish(id: string, status: Exclude<OperationStatus, 'running'>, now: number, error: string | null = null): boolean {
    return this.end.run(status, now, error, id).changes === 1;
  }

  /** Counts a dead letter joining the fingerprint of a running operation (see `newFailuresDuringReplay`). */
  readonly countNewFailure: DeadLetterAdded = ({ id, fingerprint }) => {
    this.bumpNewFailures.run(fingerprint, id);
  };

  private toOperation(r: Row): ReplayOperation {
    return {
      id: r.id,
      kind: 'replay-group',
      fingerprint: r.fingerprint,
      group: r.group_name,
      type: r.type,
      errorType: r.error_type,
      status: r.status,
      total: r.total,
      done: r.done,
      failed: r.failed,
      failures: r.failed === 0 ? [] : this.failuresOf.all(r.id, FAILURES_SHOWN).map((f) => ({ id: f.dead_letter_id, error: f.error ?? '' })),
      newFailuresDuringReplay: r.new_failures,
      startedAt: iso(r.started_at),
      endedAt: r.ended_at === null ? null : iso(r.ended_at),
      error: r.error,
    };
  }
}
