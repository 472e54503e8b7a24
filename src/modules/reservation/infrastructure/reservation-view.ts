import type { Db } from '../../../platform/sqlite';
import type { CancellationReason, ReservationChannel, ReservationStatus } from '../contracts/events';
import type { Reservation } from '../domain/reservation';

export interface ReservationRecord extends Reservation {
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The columns a record is read from, in this order. Rows come back as arrays (better-sqlite3's raw
 * mode): on Node 20 the driver builds an object row with one slow property store per column, and
 * reading 15 columns that way cost more than the query itself (~16,000 instructions a row).
 */
const COLUMNS =
  'id, customer_id, resource_id, starts_at, ends_at, amount, currency, status, cancellation_reason, cancellation_note, payment_deadline, payment_id, version, created_at, updated_at, channel';
type Row = [
  id: string,
  customerId: string,
  resourceId: string,
  startsAt: string,
  endsAt: string,
  amount: number,
  currency: string,
  status: ReservationStatus,
  cancellationReason: CancellationReason | null,
  cancellationNote: string | null,
  paymentDeadline: string,
  paymentId: string | null,
  version: number,
  createdAt: string,
  updatedAt: string,
  channel: ReservationChannel,
];

const toRecord = (r: Row): ReservationRecord => ({
  id: r[0],
  customerId: r[1],
  resourceId: r[2],
  startsAt: r[3],
  endsAt: r[4],
  amount: r[5],
  currency: r[6],
  status: r[7],
  cancellationReason: r[8],
  cancellationNote: r[9],
  paymentDeadline: r[10],
  channel: r[15],
  paymentId: r[11],
  version: r[12],
  createdAt: r[13],
  updatedAt: r[14],
});

export interface ReservationPage {
  items: ReservationRecord[];
  nextCursor: string | null;
}

export interface ListFilter {
  status?: ReservationStatus | undefined;
  customerId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The current-state table, kept in the same transaction as the event stream. */
/** Where a page of the held-slots sweep stops: the last row's resource, start and id. */
export type HeldCursor = readonly [resourceId: string, startsAt: string, id: string];

export class ReservationView {
  private readonly insert;
  private readonly update;
  private readonly byId;
  private readonly afterId;
  private readonly heldInOrder;
  private readonly overlap;
  private readonly due;
  private readonly next;
  private readonly keyLookup;
  private readonly keyInsert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`
      INSERT INTO reservations (id, customer_id, resource_id, starts_at, ends_at, amount, currency, status, cancellation_reason, payment_deadline, payment_id, version, created_at, updated_at, channel)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Later events change only these columns; the optimistic version check is the event store's job.
    this.update = db.prepare(
      `UPDATE reservations SET status = ?, cancellation_reason = ?, cancellation_note = ?, payment_id = ?, version = ?, updated_at = ? WHERE id = ?`,
    );
    this.byId = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM reservations WHERE id = ?`).raw();
    this.afterId = db.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM reservations WHERE id > ? ORDER BY id LIMIT ?`).raw();
    // The held-slots index, walked in its own order: overlapping neighbours are next to each other.
    this.heldInOrder = db
      .prepare<[string, string, string, number], Row>(
        `SELECT ${COLUMNS} FROM reservations INDEXED BY reservations_held_slots
         WHERE status IN ('PENDING', 'CONFIRMED') AND (resource_id, starts_at, id) > (?, ?, ?) ORDER BY resource_id, starts_at, id LIMIT ?`,
      )
      .raw();
    this.overlap = db.prepare<[string, string, string], { id: string }>(
      `SELECT id FROM reservations WHERE resource_id = ? AND status IN ('PENDING', 'CONFIRMED') AND starts_at < ? AND ends_at > ? LIMIT 1`,
    );
    this.due = db.prepare<[string, number], { id: string }>(
      `SELECT id FROM reservations WHERE status = 'PENDING' AND payment_deadline <= ? ORDER BY payment_deadline LIMIT ?`,
    );
    this.next = db.prepare<[], { d: string | null }>(`SELECT MIN(payment_deadline) AS d FROM reservations WHERE status = 'PENDING'`);
    this.keyLookup = db.prepare<[string, string], { reservation_id: string; fingerprint: string }>(
      'SELECT reservation_id, fingerprint FROM idempotency_keys WHERE customer_id = ? AND key = ?',
    );
    this.keyInsert = db.prepare('INSERT INTO idempotency_keys (customer_id, key, reservation_id, fingerprint) VALUES (?, ?, ?, ?)');
  }

  save(state: Reservation, version: number, now: string): void {
    if (version === 1) {
      const s = state;
      this.insert.run(s.id, s.customerId, s.resourceId, s.startsAt, s.endsAt, s.amount, s.currency, s.status, s.cancellationReason, s.paymentDeadline, s.paymentId, version, now, now, s.channel);
    }
    else this.update.run(state.status, state.cancellationReason, state.cancellationNote, state.paymentId, version, now, state.id);
  }

  get(id: string): ReservationRecord | null {
    const row = this.byId.get(id);
    return row ? toRecord(row) : null;
  }

  /** The consistency auditor's pages: reservations after `after` in id order, at most `limit`. */
  after(after: string, limit: number): ReservationRecord[] {
    return this.afterId.all(after, limit).map(toRecord);
  }

  /**
   * PENDING and CONFIRMED reservations by resource, then start (then id), after `after`, at most `limit`:
   * the auditor's double-booking sweep, a page at a time over the held-slots index.
   */
  held(after: HeldCursor | null, limit: number): ReservationRecord[] {
    const [resourceId, startsAt, id] = after ?? ['', '', ''];
    return this.heldInOrder.all(resourceId, startsAt, id, limit).map(toRecord);
  }

  /** Newest first; the cursor is the last id of the previous page (ids are time-ordered). */
  list(f: ListFilter): ReservationPage {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.customerId) (where.push('customer_id = ?'), args.push(f.customerId));
    if (f.cursor) (where.push('id < ?'), args.push(f.cursor));
    const sql = `SELECT ${COLUMNS} FROM reservations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare<Array<string | number>, Row>(sql).raw().all(...args, f.limit + 1);
    const items = rows.slice(0, f.limit).map(toRecord);
    return { items, nextCursor: rows.length > f.limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** A PENDING or CONFIRMED reservation of the resource whose period overlaps [startsAt, endsAt). */
  findOverlap(resourceId: string, startsAt: string, endsAt: string): string | null {
    return this.overlap.get(resourceId, endsAt, startsAt)?.id ?? null;
  }

  duePending(nowIso: string, limit: number): string[] {
    return this.due.all(nowIso, limit).map((r) => r.id);
  }

  nextDeadline(): string | null {
    return this.next.get()?.d ?? null;
  }

  findIdempotencyKey(customerId: string, key: string): { reservationId: string; fingerprint: string } | null {
    const row = this.keyLookup.get(customerId, key);
    return row ? { reservationId: row.reservation_id, fingerprint: row.fingerprint } : null;
  }

  saveIdempotencyKey(customerId: string, key: string, reservationId: string, fingerprint: string): void {
    this.keyInsert.run(customerId, key, reservationId, fingerprint);
  }
}
