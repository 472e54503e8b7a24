import { upperBound } from '../../../platform/id-range';
import { Inbox, INBOX_SQL } from '../../../bus/inbox/inbox';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from '../../../bus/outbox/outbox';
import { Upcasters } from '../../../bus/upcasters';
import { paymentContracts } from '../contracts/events';
import { GroupCommit } from '../../../platform/group-commit';
import { openDatabase, type Db } from '../../../platform/sqlite';
import type { PaymentStatus } from '../domain/payment';

const PAYMENT_SQL = `
CREATE TABLE payments (
  reservation_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  amount INTEGER,
  currency TEXT,
  captured_amount INTEGER NOT NULL DEFAULT 0,
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  decline_code TEXT,
  decline_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE payment_operations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('capture', 'refund')),
  amount INTEGER NOT NULL,
  provider_ref TEXT,
  at TEXT NOT NULL
);
CREATE INDEX payment_operations_by_reservation ON payment_operations (reservation_id);
`;

/**
 * Migration 3: every call of the provider's charge (its start, then the provider's answer or the error
 * it raised) for the audit trail. `outbox_seq` on attempts and on captures/refunds is the outbox's last
 * seq when the row was written: it places the row among the payment's events even when they share an
 * instant (rows written before this migration have none and are placed by time).
 */
const CHARGE_ATTEMPTS_SQL = `
CREATE TABLE charge_attempts (
  id INTEGER PRIMARY KEY,
  reservation_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  answered_at TEXT,
  outcome TEXT CHECK (outcome IN ('captured', 'declined', 'provider-error')),
  provider_ref TEXT,
  code TEXT,
  message TEXT,
  outbox_seq INTEGER NOT NULL,
  UNIQUE (reservation_id, attempt)
);
ALTER TABLE payment_operations ADD COLUMN outbox_seq INTEGER;
`;

/** payment.db's migrations, applied once each in order; a new one is appended, never an old one edited. */
export const PAYMENT_MIGRATIONS = [OUTBOX_SQL + INBOX_SQL + PAYMENT_SQL, OUTBOX_HISTORY_SQL, CHARGE_ATTEMPTS_SQL];

/** The outbox's last seq, read inside the writing transaction. */
const OUTBOX_HIGH_WATER = '(SELECT COALESCE(MAX(seq), 0) FROM outbox)';

export type AttemptOutcome = 'captured' | 'declined' | 'provider-error';

export interface ChargeAttempt {
  /** 1, 2, … per reservation: every call of the provider's charge, retries and crash recoveries included. */
  attempt: number;
  startedAt: string;
  /** Null until the provider answered or failed (and for ever if the process died during the call). */
  answeredAt: string | null;
  outcome: AttemptOutcome | null;
  providerRef: string | null;
  /** The decline code, or the error's name for a provider error. */
  code: string | null;
  message: string | null;
  outboxSeq: number;
}

export type PositionedOperation = PaymentOperation & { id: number; outboxSeq: number | null };

export interface PaymentRecord {
  reservationId: string;
  paymentId: string;
  status: PaymentStatus;
  amount: number | null;
  currency: string | null;
  capturedAmount: number;
  refundedAmount: number;
  declineCode: string | null;
  declineMessage: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentOperation {
  kind: 'capture' | 'refund';
  amount: number;
  providerRef: string | null;
  at: string;
}

/** A payment row as better-sqlite3 returns it in raw mode (an array, far cheaper to build than an object row on Node 20). */
type PaymentRow = [
  reservationId: string,
  paymentId: string,
  status: PaymentStatus,
  amount: number | null,
  currency: string | null,
  capturedAmount: number,
  refundedAmount: number,
  declineCode: string | null,
  declineMessage: string | null,
  createdAt: string,
  updatedAt: string,
];

const toPaymentRecord = (r: PaymentRow): PaymentRecord => ({
  reservationId: r[0],
  paymentId: r[1],
  status: r[2],
  amount: r[3],
  currency: r[4],
  capturedAmount: r[5],
  refundedAmount: r[6],
  declineCode: r[7],
  declineMessage: r[8],
  createdAt: r[9],
  updatedAt: r[10],
});

/** payment.db: state-stored payments, their capture/refund history, the outbox and the inbox. */
export class PaymentStore {
  readonly outbox: SqliteOutbox;
  readonly inbox: Inbox;
  private readonly st;
  private readonly writes: GroupCommit;

  constructor(readonly db: Db) {
    this.outbox = new SqliteOutbox(db, new Upcasters(paymentContracts));
    this.inbox = new Inbox(db);
    this.writes = new GroupCommit(db);
    this.st = {
      get: db
        .prepare<[string], PaymentRow>(
          `SELECT reservation_id, payment_id, status, amount, currency, captured_amount, refunded_amount, decline_code, decline_message, created_at, updated_at
           FROM payments WHERE reservation_id = ?`,
        )
        .raw(),
      insertIfAbsent: db.prepare(`INSERT OR IGNORE INTO payments (reservation_id, payment_id, status, amount, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      setStatus: db.prepare('UPDATE payments SET status = ?, updated_at = ? WHERE reservation_id = ?'),
      setStatusAddCapture: db.prepare('UPDATE payments SET status = ?, updated_at = ?, captured_amount = captured_amount + ? WHERE reservation_id = ?'),
      addCapture: db.prepare('UPDATE payments SET captured_amount = captured_amount + ? WHERE reservation_id = ?'),
      addRefund: db.prepare('UPDATE payments SET refunded_amount = refunded_amount + ? WHERE reservation_id = ?'),
      setDecline: db.prepare('UPDATE payments SET decline_code = ?, decline_message = ? WHERE reservation_id = ?'),
      addOperation: db.prepare(`INSERT INTO payment_operations (reservation_id, kind, amount, provider_ref, at, outbox_seq) VALUES (?, ?, ?, ?, ?, ${OUTBOX_HIGH_WATER})`),
      inRange: db
        .prepare<[string, string], PaymentRow>(
          `SELECT reservation_id, payment_id, status, amount, currency, captured_amount, refunded_amount, decline_code, decline_message, created_at, updated_at FROM payments
           WHERE reservation_id > ? AND reservation_id <= ?`,
        )
        .raw(),
      operations: db.prepare<[string], PaymentOperation>('SELECT kind, amount, provider_ref AS providerRef, at FROM payment_operations WHERE reservation_id = ? ORDER BY id'),
      positionedOperations: db.prepare<[string], PositionedOperation>(
        'SELECT id, kind, amount, provider_ref AS providerRef, at, outbox_seq AS outboxSeq FROM payment_operations WHERE reservation_id = ? ORDER BY id',
      ),
      startAttempt: db
        .prepare<[string, string, string], number>(
          `INSERT INTO charge_attempts (reservation_id, attempt, started_at, outbox_seq)
           VALUES (?, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM charge_attempts WHERE reservation_id = ?), ?, ${OUTBOX_HIGH_WATER}) RETURNING id`,
        )
        .pluck(),
      answerAttempt: db.prepare('UPDATE charge_attempts SET answered_at = ?, outcome = ?, provider_ref = ?, code = ?, message = ? WHERE id = ?'),
      attempts: db.prepare<[string], ChargeAttempt>(
        `SELECT attempt, started_at AS startedAt, answered_at AS answeredAt, outcome, provider_ref AS providerRef, code, message, outbox_seq AS outboxSeq
         FROM charge_attempts WHERE reservation_id = ? ORDER BY attempt`,
      ),
    };
  }

  static open(file: string): PaymentStore {
    return new PaymentStore(openDatabase(file, PAYMENT_MIGRATIONS));
  }

  /** Runs `fn` in a savepoint of a transaction shared with the other writes of this event-loop turn (group commit). */
  write<T>(fn: () => T): Promise<T> {
    return this.writes.run(fn);
  }

  get(reservationId: string): PaymentRecord | null {
    const row = this.st.get.get(reservationId);
    return row ? toPaymentRecord(row) : null;
  }

  /** Inserts the payment unless the reservation has one already; says whether it did. */
  insertIfAbsent(p: { reservationId: string; paymentId: string; status: PaymentStatus; amount: number | null; currency: string | null; now: string }): boolean {
    return this.st.insertIfAbsent.run(p.reservationId, p.paymentId, p.status, p.amount, p.currency, p.now, p.now).changes === 1;
  }

  setStatus(reservationId: string, status: PaymentStatus, now: string): void {
    this.st.setStatus.run(status, now, reservationId);
  }

  /** A new status and a capture in one statement (the charge step's common case), plus the capture's history row. */
  setStatusWithCapture(reservationId: string, status: PaymentStatus, now: string, amount: number, providerRef: string): void {
    this.st.setStatusAddCapture.run(status, now, amount, reservationId);
    this.st.addOperation.run(reservationId, 'capture', amount, providerRef, now);
  }

  recordCapture(reservationId: string, amount: number, providerRef: string, now: string): void {
    this.st.addCapture.run(amount, reservationId);
    this.st.addOperation.run(reservationId, 'capture', amount, providerRef, now);
  }

  recordRefund(reservationId: string, amount: number, providerRef: string | null, now: string): void {
    this.st.addRefund.run(amount, reservationId);
    this.st.addOperation.run(reservationId, 'refund', amount, providerRef, now);
  }

  recordDecline(reservationId: string, code: string, message: string): void {
    this.st.setDecline.run(code, message, reservationId);
  }

  /** Payments of reservations in (after, upTo], upTo null: no upper bound (the consistency auditor's pages). */
  inRange(after: string, upTo: string | null): PaymentRecord[] {
    return this.st.inRange.all(after, upperBound(upTo)).map(toPaymentRecord);
  }

  operations(reservationId: string): PaymentOperation[] {
    return this.st.operations.all(reservationId);
  }

  /** Captures and refunds with their place among the payment's events (for the audit trail). */
  positionedOperations(reservationId: string): PositionedOperation[] {
    return this.st.positionedOperations.all(reservationId);
  }

  /** Records that the provider's charge is about to be called; returns the attempt's row id. */
  startAttempt(reservationId: string, now: string): number {
    return this.st.startAttempt.get(reservationId, reservationId, now) as number;
  }

  answerAttempt(id: number, now: string, answer: { outcome: AttemptOutcome; providerRef?: string | null; code?: string | null; message?: string | null }): void {
    this.st.answerAttempt.run(now, answer.outcome, answer.providerRef ?? null, answer.code ?? null, answer.message ?? null, id);
  }

  attempts(reservationId: string): ChargeAttempt[] {
    return this.st.attempts.all(reservationId);
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }
}
