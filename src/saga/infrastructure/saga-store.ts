import { upperBound } from '../../platform/id-range';
import { Inbox, INBOX_SQL } from '../../bus/inbox/inbox';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from '../../bus/outbox/outbox';
import { ConflictError } from '../../platform/errors';
import { GroupCommit, type Outcome } from '../../platform/group-commit';
import { KeyedSignal } from '../../platform/keyed-signal';
import { openDatabase, type Db } from '../../platform/sqlite';
import type { SagaData, SagaMode, SagaState } from '../definition';

const SAGA_SQL = `
CREATE TABLE saga_instances (
  reservation_id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  state TEXT NOT NULL,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX saga_instances_by_state ON saga_instances (state, reservation_id);
CREATE TABLE saga_steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('command', 'event', 'deadline', 'compensation')),
  type TEXT NOT NULL,
  message_id TEXT,
  correlation_id TEXT,
  causation_id TEXT,
  attempt INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  state_before TEXT,
  state_after TEXT
);
CREATE INDEX saga_steps_by_reservation ON saga_steps (reservation_id, id);
CREATE TABLE saga_deadlines (
  reservation_id TEXT PRIMARY KEY,
  due_at TEXT NOT NULL
);
CREATE INDEX saga_deadlines_by_due ON saga_deadlines (due_at);
CREATE TABLE saga_parked (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id TEXT NOT NULL,
  envelope TEXT NOT NULL,
  attempt INTEGER NOT NULL
);
CREATE INDEX saga_parked_by_reservation ON saga_parked (reservation_id);
`;

export interface InstanceRow {
  reservationId: string;
  mode: SagaMode;
  state: SagaState;
  data: SagaData;
  version: number;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
}

export interface StepRow {
  at: string;
  kind: 'command' | 'event' | 'deadline' | 'compensation';
  type: string;
  messageId: string | null;
  correlationId: string | null;
  causationId: string | null;
  attempt: number;
  outcome: string;
  stateBefore: string | null;
  stateAfter: string | null;
}

/** A step with its id in the log (ids only grow: a subscription resumes after one). */
export type NumberedStep = StepRow & { id: number };

type Raw = [string, SagaMode, SagaState, string, number, string, string, string | null];
const COLUMNS = 'reservation_id, mode, state, data, version, started_at, updated_at, ended_at';
const toInstance = (r: Raw): InstanceRow => ({
  reservationId: r[0],
  mode: r[1],
  state: r[2],
  data: JSON.parse(r[3]) as SagaData,
  version: r[4],
  startedAt: r[5],
  updatedAt: r[6],
  endedAt: r[7],
});

/**
 * saga.db: saga instances (one per reservation, written with compare-and-swap on `version`), their
 * append-only step log, armed deadlines, messages that arrived before their instance, the
 * orchestrator's outbox and the inbox.
 */
export class SagaStore {
  readonly outbox: SqliteOutbox;
  readonly inbox: Inbox;
  private readonly writes: GroupCommit;
  private readonly st;
  /** "Saga <reservation id> logged a step", after the commit that wrote it. */
  readonly changed = new KeyedSignal();
  /** Instances with steps written since the last announcement (a rolled-back one only causes a needless look). */
  private touched = new Set<string>();
  /** Bound once: it runs after every write. */
  readonly announceChanges = (): void => {
    if (this.touched.size === 0) return;
    const ids = this.touched;
    this.touched = new Set();
    for (const id of ids) this.changed.notify(id);
  };

  constructor(readonly db: Db) {
    this.outbox = new SqliteOutbox(db);
    this.inbox = new Inbox(db);
    // IMMEDIATE: in choreography the writer thread's connection writes this file too.
    this.writes = new GroupCommit(db, undefined, true);
    this.st = {
      get: db.prepare<[string], Raw>(`SELECT ${COLUMNS} FROM saga_instances WHERE reservation_id = ?`).raw(),
      inRange: db
        .prepare<[string, string], [string, string, string]>('SELECT reservation_id, state, updated_at FROM saga_instances WHERE reservation_id > ? AND reservation_id <= ?')
        .raw(),
      insert: db.prepare(`INSERT INTO saga_instances (${COLUMNS}) VALUES (?, ?, ?, ?, 1, ?, ?, ?)`),
      update: db.prepare('UPDATE saga_instances SET state = ?, data = ?, version = version + 1, updated_at = ?, ended_at = ? WHERE reservation_id = ? AND version = ?'),
      step: db.prepare(
        'INSERT INTO saga_steps (reservation_id, at, kind, type, message_id, correlation_id, causation_id, attempt, outcome, state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      steps: db.prepare<[string], StepRow>(
        `SELECT at, kind, type, message_id AS messageId, correlation_id AS correlationId, causation_id AS causationId, attempt, outcome,
                state_before AS stateBefore, state_after AS stateAfter FROM saga_steps WHERE reservation_id = ? ORDER BY id`,
      ),
      stepsAfter: db.prepare<[string, number], NumberedStep>(
        `SELECT id, at, kind, type, message_id AS messageId, correlation_id AS correlationId, causation_id AS causationId, attempt, outcome,
                state_before AS stateBefore, state_after AS stateAfter FROM saga_steps WHERE reservation_id = ? AND id > ? ORDER BY id`,
      ),
      arm: db.prepare('INSERT INTO saga_deadlines (reservation_id, due_at) VALUES (?, ?) ON CONFLICT (reservation_id) DO UPDATE SET due_at = excluded.due_at'),
      disarm: db.prepare('DELETE FROM saga_deadlines WHERE reservation_id = ?'),
      nextDeadline: db.prepare<[], string>('SELECT MIN(due_at) FROM saga_deadlines').pluck(),
      due: db.prepare<[string, number], string>('SELECT reservation_id FROM saga_deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?').pluck(),
      park: db.prepare('INSERT INTO saga_parked (reservation_id, envelope, attempt) VALUES (?, ?, ?)'),
      parked: db.prepare<[string], { envelope: string; attempt: number }>('SELECT envelope, attempt FROM saga_parked WHERE reservation_id = ? ORDER BY id'),
      unpark: db.prepare('DELETE FROM saga_parked WHERE reservation_id = ?'),
      // Newest first, before the cursor: with a state, along saga_instances_by_state. Written as plain
      // comparisons (OPEN_END for no cursor), not `(? IS NULL OR …)`, which kept SQLite off the index: a
      // state filter scanned every instance (seconds at a million for a rare state).
      list: db.prepare<[string, number], Raw>(`SELECT ${COLUMNS} FROM saga_instances WHERE reservation_id < ? ORDER BY reservation_id DESC LIMIT ?`).raw(),
      listInState: db
        .prepare<[string, string, number], Raw>(`SELECT ${COLUMNS} FROM saga_instances WHERE state = ? AND reservation_id < ? ORDER BY reservation_id DESC LIMIT ?`)
        .raw(),
    };
  }

  /** `ownThread`: the writer thread's connection (it checkpoints inline, on that thread). */
  static open(file: string, options: { ownThread?: boolean } = {}): SagaStore {
    return new SagaStore(openDatabase(file, [OUTBOX_SQL + OUTBOX_HISTORY_SQL + INBOX_SQL + SAGA_SQL], options.ownThread ? { backgroundCheckpoints: false } : {}));
  }

  /** Runs `fn` in a transaction shared with the other writes of this event-loop turn (group commit). */
  write<T>(fn: () => T): Promise<T> {
    const done = this.writes.run(fn);
    done.then(this.announceChanges, this.announceChanges);
    return done;
  }

  /** `items` written by `write` and committed now, in one transaction (see GroupCommit.commitNow): what each came to. */
  writeNow<I>(items: readonly I[], write: (item: I) => unknown): Outcome[] {
    try {
      return this.writes.commitNow(items, write);
    } finally {
      this.announceChanges();
    }
  }

  get(reservationId: string): InstanceRow | null {
    const r = this.st.get.get(reservationId);
    return r ? toInstance(r) : null;
  }

  /** The states of the instances of reservations in (after, upTo]; upTo null: no upper bound (the consistency auditor's pages). */
  states(after: string, upTo: string | null): Map<string, { state: string; updatedAt: string }> {
    return new Map(this.st.inRange.all(after, upperBound(upTo)).map(([id, state, updatedAt]) => [id, { state, updatedAt }]));
  }

  insert(i: Omit<InstanceRow, 'version' | 'updatedAt'>): void {
    try {
      this.st.insert.run(i.reservationId, i.mode, i.state, JSON.stringify(i.data), i.startedAt, i.startedAt, i.endedAt);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ConflictError(`saga instance ${i.reservationId} was created concurrently; retry`);
      throw error;
    }
  }

  /** Compare-and-swap: writes only if the instance is still at `expectedVersion`; otherwise throws (the message is retried). */
  update(reservationId: string, expectedVersion: number, state: SagaState, data: SagaData, now: string, endedAt: string | null): void {
    const changed = this.st.update.run(state, JSON.stringify(data), now, endedAt, reservationId, expectedVersion).changes;
    if (changed !== 1) throw new ConflictError(`saga instance ${reservationId} changed since version ${expectedVersion} was read; retry`);
  }

  addStep(reservationId: string, s: StepRow): void {
    this.touched.add(reservationId);
    this.st.step.run(reservationId, s.at, s.kind, s.type, s.messageId, s.correlationId, s.causationId, s.attempt, s.outcome, s.stateBefore, s.stateAfter);
  }

  steps(reservationId: string): StepRow[] {
    return this.st.steps.all(reservationId);
  }

  /** The steps logged after step `afterId` (0: all), oldest first, with their ids. */
  stepsAfter(reservationId: string, afterId: number): NumberedStep[] {
    return this.st.stepsAfter.all(reservationId, afterId);
  }

  armDeadline(reservationId: string, dueAt: string): void {
    this.st.arm.run(reservationId, dueAt);
  }

  disarmDeadline(reservationId: string): void {
    this.st.disarm.run(reservationId);
  }

  nextDeadline(): string | null {
    return this.st.nextDeadline.get() ?? null;
  }

  dueDeadlines(now: string, limit: number): string[] {
    return this.st.due.all(now, limit);
  }

  park(reservationId: string, envelopeJson: string, attempt: number): void {
    this.st.park.run(reservationId, envelopeJson, attempt);
  }

  /** The messages kept for an instance that did not exist yet, oldest first, removed as they are taken. */
  takeParked(reservationId: string): Array<{ envelope: string; attempt: number }> {
    const rows = this.st.parked.all(reservationId);
    if (rows.length > 0) this.st.unpark.run(reservationId);
    return rows;
  }

  list(state: SagaState | undefined, cursor: string | undefined, limit: number): InstanceRow[] {
    const before = upperBound(cursor ?? null);
    return (state ? this.st.listInState.all(state, before, limit) : this.st.list.all(before, limit)).map(toInstance);
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }
}
