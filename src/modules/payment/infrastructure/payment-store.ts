import { Inbox, INBOX_SQL } from '../../../bus/inbox/inbox';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from '../../../bus/outbox/outbox';
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
    this.outbox = new SqliteOutbox(db);
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
      addOperation: db.prepare('INSERT INTO payment_operations (reservation_id, kind, amount, provider_ref, at) VALUES (?, ?, ?, ?, ?)'),
      all: db
        .prepare<[], PaymentRow>(
          `SELECT reservation_id, payment_id, status, amount, currency, captured_amount, refunded_amount, decline_code, decline_message, created_at, updated_at FROM payments`,
        )
        .raw(),
      operations: db.prepare<[string], PaymentOperation>('SELECT kind, amount, provider_ref AS providerRef, at FROM payment_operations WHERE reservation_id = ? ORDER BY id'),
    };
  }

  static open(file: string): PaymentStore {
    return new PaymentStore(openDatabase(file, [OUTBOX_SQL + INBOX_SQL + PAYMENT_SQL, OUTBOX_HISTORY_SQL]));
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

  /** Every payment, for the consistency auditor (a full scan). */
  *all(): Generator<PaymentRecord> {
    for (const r of this.st.all.iterate()) yield toPaymentRecord(r);
  }

  operations(reservationId: string): PaymentOperation[] {
    return this.st.operations.all(reservationId);
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }
}
