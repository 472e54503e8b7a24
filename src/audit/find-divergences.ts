/**
 * The consistency auditor's rules, pure: a snapshot of every module's records and the provider's ledger
 * in, every disagreement out, named by kind, with the repair that makes it converge.
 */
export type DivergenceKind =
  | 'confirmed-without-capture'
  | 'cancelled-with-money-kept'
  | 'captured-twice'
  | 'pending-past-deadline'
  | 'payment-books-differ'
  | 'payment-missing'
  | 'charge-without-reservation'
  | 'saga-missing'
  | 'saga-disagrees'
  | 'slot-held-twice'
  | 'read-model-behind';

/**
 * `redeliver-history`: every message recorded for the reservation goes again to each local consumer group
 * that takes it (inboxes drop what they have; a group that lost them, e.g. a restored file, handles them).
 * `request-refund`: payment asks the provider to give back whatever it still holds (net-based, keyed).
 * `manual`: nothing here can settle it; the finding says what an operator must check.
 */
export type RepairName = 'redeliver-history' | 'request-refund' | 'manual';

export const REPAIR_OF: Record<DivergenceKind, RepairName> = {
  // The provider lost or never made a capture the reservation relied on: only the provider can say which.
  'confirmed-without-capture': 'manual',
  'cancelled-with-money-kept': 'request-refund',
  'captured-twice': 'manual',
  'pending-past-deadline': 'redeliver-history',
  'payment-books-differ': 'redeliver-history',
  'payment-missing': 'redeliver-history',
  'charge-without-reservation': 'request-refund',
  'saga-missing': 'redeliver-history',
  'saga-disagrees': 'redeliver-history',
  'slot-held-twice': 'manual',
  'read-model-behind': 'redeliver-history',
};

export interface AuditedReservation {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  amount: number;
  resourceId: string;
  startsAt: string;
  endsAt: string;
  paymentDeadline: string;
  updatedAt: string;
}
export interface AuditedPayment {
  reservationId: string;
  paymentId: string;
  status: string;
  capturedAmount: number;
  refundedAmount: number;
  updatedAt: string;
}
export interface AuditedCharge {
  captures: number;
  captured: number;
  refunded: number;
  net: number;
}

export interface AuditSnapshot {
  now: number;
  /** Reservations of this page, in id order. */
  reservations: readonly AuditedReservation[];
  /** null: not readable here (e.g. a split-mode process that does not run payment). */
  payments: ReadonlyMap<string, AuditedPayment> | null;
  ledger: ReadonlyMap<string, AuditedCharge> | null;
  sagas: ReadonlyMap<string, { state: string; updatedAt: string }> | null;
  /** The read model's status per reservation, when one exists. */
  readModel?: ReadonlyMap<string, { status: string }> | null;
}

export interface Finding {
  /** `kind:reservationId`: stable across runs, so the auditor can say how long it has lasted. */
  id: string;
  kind: DivergenceKind;
  reservationId: string;
  detail: string;
  /** When the records last changed: a divergence younger than the convergence window may still resolve itself. */
  since: string;
  inFlight: boolean;
  repair: RepairName;
}

export interface ConvergenceWindow {
  /** How long the saga may take to converge after a change (the payment deadline plus the whole retry budget). */
  windowMs: number;
  /** Every delayed retry together: a PENDING reservation may stay so this long past its deadline. */
  retryBudgetMs: number;
}

/**
 * A slot held by two live reservations. Fed PENDING and CONFIRMED reservations sorted by resource, then
 * start, as the reservation module's held-slots index gives them, in as many pages as it likes: it
 * keeps only the live reservation ending last, so memory stays constant however many there are.
 */
export class SlotSweep {
  private holder: AuditedReservation | null = null;

  /** The findings of this page (the next page continues where it ended). */
  add(held: Iterable<AuditedReservation>): Finding[] {
    const out: Finding[] = [];
    for (const b of held) {
      if (b.status === 'CANCELLED') continue;
      const a = this.holder;
      if (a && a.resourceId === b.resourceId && b.startsAt < a.endsAt) {
        out.push({ id: `slot-held-twice:${b.id}`, kind: 'slot-held-twice', reservationId: b.id, detail: `${b.id} and ${a.id} both hold ${b.resourceId} between ${b.startsAt} and ${a.endsAt}`, since: b.updatedAt, inFlight: false, repair: REPAIR_OF['slot-held-twice'] });
      }
      if (!a || a.resourceId !== b.resourceId || b.endsAt > a.endsAt) this.holder = b;
    }
    return out;
  }
}

/** The sweep over one sorted list at once. */
export const findSlotsHeldTwice = (held: Iterable<AuditedReservation>): Finding[] => new SlotSweep().add(held);

/**
 * Anything older than its convergence window is a real violation, not work in flight. `s` is one page of
 * the audit: its reservations and every other record keyed by a reservation id in the range the page
 * covers, so a charge no reservation knows is found in the page its key falls in.
 */
export function findDivergences(s: AuditSnapshot, { windowMs, retryBudgetMs }: ConvergenceWindow): Finding[] {
  const out: Finding[] = [];
  const add = (kind: DivergenceKind, r: { id: string }, detail: string, sinceIso: string, inFlightUntil = Date.parse(sinceIso) + windowMs) =>
    out.push({ id: `${kind}:${r.id}`, kind, reservationId: r.id, detail, since: sinceIso, inFlight: s.now < inFlightUntil, repair: REPAIR_OF[kind] });
  const known = new Set<string>();
  for (const r of s.reservations) {
    known.add(r.id);
    const l = s.ledger?.get(r.id);
    const p = s.payments?.get(r.id);
    const changed = [r.updatedAt, p?.updatedAt ?? r.updatedAt].sort()[1] as string;
    if (s.ledger) {
      if (l && l.captures > 1) add('captured-twice', r, `the provider captured ${l.captures} times (${l.captured}) for one reservation of ${r.amount}`, changed, 0);
      if (r.status === 'CONFIRMED' && (!l || l.captures !== 1 || l.captured !== r.amount || l.refunded !== 0)) {
        add('confirmed-without-capture', r, `CONFIRMED, but the provider holds ${l ? `${l.captured} captured, ${l.refunded} refunded` : 'no charge'} (expected one capture of ${r.amount})`, changed);
      }
      if (r.status === 'CANCELLED' && l && l.net !== 0) add('cancelled-with-money-kept', r, `CANCELLED, but the provider keeps ${l.net} (captured ${l.captured}, refunded ${l.refunded})`, changed);
    }
    if (r.status === 'PENDING' && s.now > Date.parse(r.paymentDeadline)) {
      add('pending-past-deadline', r, `PENDING; its payment deadline was ${r.paymentDeadline}`, r.paymentDeadline, Date.parse(r.paymentDeadline) + retryBudgetMs);
    }
    if (s.payments) {
      if (!p) add('payment-missing', r, `payment has no record of this ${r.status} reservation`, r.updatedAt);
      else if (l && (p.capturedAmount !== l.captured || p.refundedAmount !== l.refunded)) {
        add('payment-books-differ', r, `payment records ${p.capturedAmount} captured / ${p.refundedAmount} refunded, the provider ${l.captured} / ${l.refunded}`, changed);
      }
    }
    if (s.sagas) {
      const saga = s.sagas.get(r.id);
      if (!saga) add('saga-missing', r, `no saga instance for this ${r.status} reservation`, r.updatedAt);
      else if (r.status !== 'PENDING' && saga.state !== r.status) add('saga-disagrees', r, `the saga is ${saga.state}, the reservation ${r.status}`, [r.updatedAt, saga.updatedAt].sort()[1] as string);
    }
    if (s.readModel) {
      const row = s.readModel.get(r.id);
      if (!row || row.status !== r.status) add('read-model-behind', r, `the read model shows ${row ? row.status : 'nothing'}, the reservation is ${r.status}`, r.updatedAt);
    }
  }
  if (s.ledger) {
    for (const [key, l] of s.ledger) {
      if (!known.has(key) && l.net !== 0) {
        const p = s.payments?.get(key);
        add('charge-without-reservation', { id: key }, `the provider keeps ${l.net} for ${key}, which no reservation knows${p ? ` (payment: ${p.status})` : ''}`, p?.updatedAt ?? new Date(0).toISOString());
      }
    }
  }
  return out;
}
