import type Database from 'better-sqlite3';
import type { Db } from '../../platform/sqlite';
import type { SagaState } from '../../saga/definition';
import { emptyFacts, type Facts } from '../facts';
import type { Derived, OverviewPaymentStatus } from '../overview';

/**
 * The facts of a row, one column each (no JSON to parse and write back on every event), then the saga
 * state derived from them. The step times, in the order a saga causes them, are the last eight facts.
 */
const COLUMNS =
  'id, customer_id, resource_id, starts_at, ends_at, amount, currency, payment_deadline, confirmed_with, cancel_reason, cancel_previous, cancel_note, payment_id, captured, refunded, decline_code, decline_message, refund_requests, refunds, voids, at_created, at_succeeded, at_failed, at_confirmed, at_cancelled, at_refund_requested, at_refunded, at_voided, saga_state';
/** What later events change (not indexed: writing them leaves the indexes alone). */
const FACTS_SET =
  'confirmed_with = ?, cancel_reason = ?, cancel_previous = ?, cancel_note = ?, payment_id = ?, captured = ?, refunded = ?, decline_code = ?, decline_message = ?, refund_requests = ?, refunds = ?, voids = ?, at_created = ?, at_succeeded = ?, at_failed = ?, at_confirmed = ?, at_cancelled = ?, at_refund_requested = ?, at_refunded = ?, at_voided = ?, saga_state = ?, payment_status = ?';
const RESERVATION_SET = 'customer_id = ?, resource_id = ?, starts_at = ?, ends_at = ?, amount = ?, currency = ?, payment_deadline = ?, created_at = ?, status = ?';

export const STEP_TYPES = [
  'reservation.ReservationCreated',
  'payment.PaymentSucceeded',
  'payment.PaymentFailed',
  'reservation.ReservationConfirmed',
  'reservation.ReservationCancelled',
  'payment.RefundRequested',
  'payment.PaymentRefunded',
  'payment.PaymentVoided',
] as const;

type Value = string | number | null;
/** A row as the queries and the projector read it: `COLUMNS`, in order (raw arrays are far cheaper to build than objects). */
export type StoredRow = Value[];
const SAGA_STATE = 28;
const STATUS = 29;

/** What the projector read before folding an event in: which indexed columns the write may change. */
export interface Before {
  status: string | null;
  reservationKnown: boolean;
}

export interface OverviewFilter {
  status?: string | undefined;
  customerId?: string | undefined;
  resourceId?: string | undefined;
  paymentStatus?: OverviewPaymentStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export function toFacts(r: StoredRow): Facts {
  const f = emptyFacts(r[0] as string);
  if (r[1] !== null) {
    f.reservation = { customerId: r[1] as string, resourceId: r[2] as string, startsAt: r[3] as string, endsAt: r[4] as string, amount: r[5] as number, currency: r[6] as string, paymentDeadline: r[7] as string };
  }
  f.confirmedWith = r[8] as string | null;
  if (r[9] !== null) f.cancelled = { reason: r[9], previousStatus: r[10], note: r[11] } as Facts['cancelled'];
  f.paymentId = r[12] as string | null;
  f.captured = r[13] as number;
  f.refunded = r[14] as number;
  if (r[15] !== null) f.declined = { code: r[15] as string, message: r[16] as string };
  f.refundRequests = r[17] as number;
  f.refunds = r[18] as number;
  f.voids = r[19] as number;
  STEP_TYPES.forEach((type, i) => {
    const at = r[20 + i];
    if (at !== null && at !== undefined) f.at[type] = at as string;
  });
  return f;
}

export const sagaStateOfRow = (r: StoredRow): SagaState | null => r[SAGA_STATE] as SagaState | null;

const factValues = (f: Facts, d: Derived): Value[] => [
  f.confirmedWith,
  f.cancelled?.reason ?? null,
  f.cancelled?.previousStatus ?? null,
  f.cancelled?.note ?? null,
  f.paymentId,
  f.captured,
  f.refunded,
  f.declined?.code ?? null,
  f.declined?.message ?? null,
  f.refundRequests,
  f.refunds,
  f.voids,
  ...STEP_TYPES.map((t) => f.at[t] ?? null),
  d.sagaState,
  d.paymentStatus,
];

const reservationValues = (f: Facts, d: Derived): Value[] => {
  const r = f.reservation;
  return [r?.customerId ?? null, r?.resourceId ?? null, r?.startsAt ?? null, r?.endsAt ?? null, r?.amount ?? null, r?.currency ?? null, r?.paymentDeadline ?? null, d.createdAt, d.status];
};

/** The `overview` table: one row per reservation and generation. */
export class OverviewTable {
  private readonly st;
  private readonly lists = new Map<string, Database.Statement<Value[], StoredRow>>();

  constructor(private readonly db: Db) {
    this.st = {
      get: db.prepare<[number, string], StoredRow>(`SELECT ${COLUMNS}, status FROM overview WHERE gen = ? AND id = ?`).raw(),
      shown: db.prepare<[number, string], StoredRow>(`SELECT ${COLUMNS} FROM overview WHERE gen = ? AND id = ? AND status IS NOT NULL`).raw(),
      all: db.prepare<[number], StoredRow>(`SELECT ${COLUMNS} FROM overview WHERE gen = ? AND status IS NOT NULL ORDER BY id`).raw(),
      insert: db.prepare<Value[]>(
        `INSERT INTO overview (gen, id, confirmed_with, cancel_reason, cancel_previous, cancel_note, payment_id, captured, refunded, decline_code, decline_message, refund_requests, refunds, voids,
           at_created, at_succeeded, at_failed, at_confirmed, at_cancelled, at_refund_requested, at_refunded, at_voided, saga_state, payment_status,
           customer_id, resource_id, starts_at, ends_at, amount, currency, payment_deadline, created_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare<Value[]>(`UPDATE overview SET ${FACTS_SET} WHERE gen = ? AND id = ?`),
      updateStatus: db.prepare<Value[]>(`UPDATE overview SET ${FACTS_SET}, status = ? WHERE gen = ? AND id = ?`),
      updateAll: db.prepare<Value[]>(`UPDATE overview SET ${FACTS_SET}, ${RESERVATION_SET} WHERE gen = ? AND id = ?`),
      drop: db.prepare('DELETE FROM overview WHERE gen = ? AND id IN (SELECT id FROM overview WHERE gen = ? LIMIT ?)'),
    };
  }

  /** The row's facts, and what its indexed columns hold (a write changes only the indexes it must). */
  facts(gen: number, id: string): { facts: Facts; before: Before } | null {
    const r = this.st.get.get(gen, id);
    return r ? { facts: toFacts(r), before: { status: r[STATUS] as string | null, reservationKnown: r[1] !== null } } : null;
  }

  /** Writes the row; `before`: what `facts` said before the event was folded in (null: a new row). */
  put(gen: number, f: Facts, d: Derived, before: Before | null): void {
    const id = f.reservationId;
    if (!before) this.st.insert.run(gen, id, ...factValues(f, d), ...reservationValues(f, d));
    else if (!before.reservationKnown && f.reservation) this.st.updateAll.run(...factValues(f, d), ...reservationValues(f, d), gen, id);
    else if (before.status !== d.status) this.st.updateStatus.run(...factValues(f, d), d.status, gen, id);
    else this.st.update.run(...factValues(f, d), gen, id);
  }

  shown(gen: number, id: string): StoredRow | null {
    return this.st.shown.get(gen, id) ?? null;
  }

  all(gen: number): StoredRow[] {
    return this.st.all.all(gen);
  }

  /** Newest first (ids are time-ordered); `limit` rows at most. The cursor is the last id of the previous page. */
  list(gen: number, f: OverviewFilter): StoredRow[] {
    const where: string[] = ['gen = ?', 'status IS NOT NULL'];
    const args: Value[] = [gen];
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.customerId) (where.push('customer_id = ?'), args.push(f.customerId));
    if (f.resourceId) (where.push('resource_id = ?'), args.push(f.resourceId));
    if (f.paymentStatus) (where.push('payment_status = ?'), args.push(f.paymentStatus));
    if (f.from) (where.push('created_at >= ?'), args.push(f.from));
    if (f.to) (where.push('created_at < ?'), args.push(f.to));
    if (f.cursor) (where.push('id < ?'), args.push(f.cursor));
    const sql = `SELECT ${COLUMNS} FROM overview ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    let statement = this.lists.get(sql);
    if (!statement) this.lists.set(sql, (statement = this.db.prepare<Value[], StoredRow>(sql).raw()));
    return statement.all(...args, f.limit);
  }

  dropSome(gen: number, limit: number): number {
    return this.st.drop.run(gen, gen, limit).changes;
  }
}
