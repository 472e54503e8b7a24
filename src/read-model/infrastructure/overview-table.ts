import { upperBound } from '../../platform/id-range';
import { ReservationCreated } from '../../modules/reservation/contracts/events';
import type Database from 'better-sqlite3';
import type { Contract } from '../../platform/contract';
import type { Db } from '../../platform/sqlite';
import { emptyFacts, projectedContracts, type Facts } from '../facts';
import type { OverviewPaymentStatus } from '../overview';

/** A row's facts, one column each, in this order; the step times (in the order a saga causes them) are the last eight. */
const COLUMNS =
  'id, customer_id, resource_id, starts_at, ends_at, amount, currency, payment_deadline, confirmed_with, cancel_reason, cancel_previous, cancel_note, payment_id, captured, refunded, decline_code, decline_message, refund_requests, refunds, voids, at_created, at_succeeded, at_failed, at_confirmed, at_cancelled, at_refund_requested, at_refunded, at_voided';

/** The step of each `at_*` column, in column order (facts.ts lists its folds in the same, causal order). */
export const STEP_TYPES = projectedContracts.map((c) => c.type);

type Value = string | number | null;
/** A row as queries read it: `COLUMNS`, in order (raw arrays are far cheaper to build than objects). */
export type StoredRow = Value[];

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

/**
 * One statement per event type merges the event into its row, in SQL, without reading the row first:
 * one-off facts are kept from the first event that carries them (coalesce), amounts and counts add up,
 * each step keeps its earliest time. The same merges as facts.ts `addEvent` (the property test holds
 * the two equal), so rows converge whatever order events arrive in; duplicates never get here (inbox).
 * Missing rows are created: a payment event may come before ReservationCreated.
 */
const MERGES: Record<string, { sql: string; values: (p: Record<string, unknown>, at: string) => Value[] }> = {
  [ReservationCreated.name]: {
    sql: `INSERT INTO overview (gen, id, customer_id, resource_id, starts_at, ends_at, amount, currency, payment_deadline, at_created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (gen, id) DO UPDATE SET customer_id = coalesce(customer_id, excluded.customer_id), resource_id = coalesce(resource_id, excluded.resource_id),
            starts_at = coalesce(starts_at, excluded.starts_at), ends_at = coalesce(ends_at, excluded.ends_at), amount = coalesce(amount, excluded.amount),
            currency = coalesce(currency, excluded.currency), payment_deadline = coalesce(payment_deadline, excluded.payment_deadline),
            at_created = CASE WHEN at_created IS NULL OR excluded.at_created < at_created THEN excluded.at_created ELSE at_created END`,
    values: (p, at) => [p.customerId, p.resourceId, p.startsAt, p.endsAt, p.amount, p.currency, p.paymentDeadline, at] as Value[],
  },
  'reservation.ReservationConfirmed.v1': {
    sql: `INSERT INTO overview (gen, id, confirmed_with, at_confirmed) VALUES (?, ?, ?, ?)
          ON CONFLICT (gen, id) DO UPDATE SET confirmed_with = coalesce(confirmed_with, excluded.confirmed_with),
            at_confirmed = CASE WHEN at_confirmed IS NULL OR excluded.at_confirmed < at_confirmed THEN excluded.at_confirmed ELSE at_confirmed END`,
    values: (p, at) => [p.paymentId, at] as Value[],
  },
  'reservation.ReservationCancelled.v1': {
    sql: `INSERT INTO overview (gen, id, cancel_reason, cancel_previous, cancel_note, at_cancelled) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (gen, id) DO UPDATE SET cancel_reason = coalesce(cancel_reason, excluded.cancel_reason),
            cancel_previous = CASE WHEN cancel_reason IS NULL THEN excluded.cancel_previous ELSE cancel_previous END,
            cancel_note = CASE WHEN cancel_reason IS NULL THEN excluded.cancel_note ELSE cancel_note END,
            at_cancelled = CASE WHEN at_cancelled IS NULL OR excluded.at_cancelled < at_cancelled THEN excluded.at_cancelled ELSE at_cancelled END`,
    values: (p, at) => [p.reason, p.previousStatus, p.note ?? null, at] as Value[],
  },
  'payment.PaymentSucceeded.v1': {
    sql: `INSERT INTO overview (gen, id, payment_id, captured, at_succeeded) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (gen, id) DO UPDATE SET payment_id = coalesce(payment_id, excluded.payment_id), captured = max(captured, excluded.captured),
            at_succeeded = CASE WHEN at_succeeded IS NULL OR excluded.at_succeeded < at_succeeded THEN excluded.at_succeeded ELSE at_succeeded END`,
    values: (p, at) => [p.paymentId, p.amount, at] as Value[],
  },
  'payment.PaymentFailed.v1': {
    sql: `INSERT INTO overview (gen, id, payment_id, decline_code, decline_message, at_failed) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (gen, id) DO UPDATE SET payment_id = coalesce(payment_id, excluded.payment_id),
            decline_message = CASE WHEN decline_code IS NULL THEN excluded.decline_message ELSE decline_message END,
            decline_code = coalesce(decline_code, excluded.decline_code),
            at_failed = CASE WHEN at_failed IS NULL OR excluded.at_failed < at_failed THEN excluded.at_failed ELSE at_failed END`,
    values: (p, at) => [p.paymentId, p.code, p.message, at] as Value[],
  },
  'payment.RefundRequested.v1': {
    sql: `INSERT INTO overview (gen, id, payment_id, refund_requests, at_refund_requested) VALUES (?, ?, ?, 1, ?)
          ON CONFLICT (gen, id) DO UPDATE SET payment_id = coalesce(payment_id, excluded.payment_id), refund_requests = refund_requests + 1,
            at_refund_requested = CASE WHEN at_refund_requested IS NULL OR excluded.at_refund_requested < at_refund_requested THEN excluded.at_refund_requested ELSE at_refund_requested END`,
    values: (p, at) => [p.paymentId, at] as Value[],
  },
  'payment.PaymentRefunded.v1': {
    sql: `INSERT INTO overview (gen, id, payment_id, refunded, refunds, at_refunded) VALUES (?, ?, ?, ?, 1, ?)
          ON CONFLICT (gen, id) DO UPDATE SET payment_id = coalesce(payment_id, excluded.payment_id), refunded = refunded + excluded.refunded, refunds = refunds + 1,
            at_refunded = CASE WHEN at_refunded IS NULL OR excluded.at_refunded < at_refunded THEN excluded.at_refunded ELSE at_refunded END`,
    values: (p, at) => [p.paymentId, p.amount, at] as Value[],
  },
  'payment.PaymentVoided.v1': {
    sql: `INSERT INTO overview (gen, id, payment_id, voids, at_voided) VALUES (?, ?, ?, 1, ?)
          ON CONFLICT (gen, id) DO UPDATE SET payment_id = coalesce(payment_id, excluded.payment_id), voids = voids + 1,
            at_voided = CASE WHEN at_voided IS NULL OR excluded.at_voided < at_voided THEN excluded.at_voided ELSE at_voided END`,
    values: (p, at) => [p.paymentId, at] as Value[],
  },
};

/** The `overview` table: one row per reservation and generation. */
export class OverviewTable {
  private readonly st;
  private readonly merges: Map<string, { run: (...v: Value[]) => unknown; values: (typeof MERGES)[string]['values'] }>;
  private readonly lists = new Map<string, Database.Statement<Value[], StoredRow>>();

  constructor(private readonly db: Db) {
    this.merges = new Map(Object.entries(MERGES).map(([name, m]) => {
      const statement = db.prepare<Value[]>(m.sql);
      return [name, { run: (...v: Value[]) => statement.run(...v), values: m.values }];
    }));
    this.st = {
      shown: db.prepare<[number, string], StoredRow>(`SELECT ${COLUMNS} FROM overview WHERE gen = ? AND id = ? AND status IS NOT NULL`).raw(),
      all: db.prepare<[number], StoredRow>(`SELECT ${COLUMNS} FROM overview WHERE gen = ? AND status IS NOT NULL ORDER BY id`).raw(),
      statuses: db
        .prepare<[number, string, string], [id: string, status: string]>('SELECT id, status FROM overview WHERE gen = ? AND id > ? AND id <= ? AND status IS NOT NULL')
        .raw(),
      derived: db.prepare<[number], [id: string, status: string | null, paymentStatus: string | null]>('SELECT id, status, payment_status FROM overview WHERE gen = ? ORDER BY id').raw(),
      drop: db.prepare('DELETE FROM overview WHERE gen = ? AND id IN (SELECT id FROM overview WHERE gen = ? LIMIT ?)'),
    };
  }

  /** Merges one (validated) event into its reservation's row of generation `gen`. */
  merge(gen: number, contract: Contract, payload: unknown, occurredAt: string): void {
    const m = this.merges.get(contract.name);
    if (!m) throw new Error(`the read model has no merge for ${contract.name}; it merges ${[...this.merges.keys()].join(', ')}`);
    const p = payload as Record<string, unknown>;
    m.run(gen, p.reservationId as string, ...m.values(p, occurredAt));
  }

  shown(gen: number, id: string): StoredRow | null {
    return this.st.shown.get(gen, id) ?? null;
  }

  all(gen: number): StoredRow[] {
    return this.st.all.all(gen);
  }

  /** The columns SQLite derives (status, payment status) of every row, for tests holding them to overview.ts. */
  /** Each shown row's status, for ids in (after, upTo]; upTo null: no upper bound (the consistency auditor's pages). */
  statuses(gen: number, after: string, upTo: string | null): Map<string, string> {
    return new Map(this.st.statuses.all(gen, after, upperBound(upTo)));
  }

  derived(gen: number): Array<[id: string, status: string | null, paymentStatus: string | null]> {
    return this.st.derived.all(gen);
  }

  /** Newest first (ids are time-ordered); `limit` rows at most. The cursor is the last id of the previous page. */
  list(gen: number, f: OverviewFilter): StoredRow[] {
    const where: string[] = ['gen = ?', 'status IS NOT NULL'];
    const args: Value[] = [gen];
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.customerId) (where.push('customer_id = ?'), args.push(f.customerId));
    if (f.resourceId) (where.push('resource_id = ?'), args.push(f.resourceId));
    if (f.paymentStatus) (where.push('payment_status = ?'), args.push(f.paymentStatus));
    if (f.from) (where.push('at_created >= ?'), args.push(f.from));
    if (f.to) (where.push('at_created < ?'), args.push(f.to));
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
