import { causedBy, createEnvelope, type Envelope } from '../../../bus/envelope';
import { iso } from '../../../platform/clock';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided, RefundRequested } from '../contracts/events';
import { evolve, type PaymentEvent, type PaymentState } from '../domain/payment';
import type { PaymentRecord, PaymentStore } from '../infrastructure/payment-store';

/**
 * Writes what the decider's events lead to (the new status, with the capture that caused it, if any)
 * and puts each announced event in the outbox, in the caller's transaction.
 */
export function applyEvents(
  store: PaymentStore,
  payment: PaymentRecord,
  events: readonly PaymentEvent[],
  cause: Envelope,
  now: number,
  capture?: { amount: number; providerRef: string },
): void {
  if (events.length === 0 && !capture) return;
  const status = events.reduce<PaymentState>(evolve, { status: payment.status })?.status ?? payment.status;
  if (capture) store.setStatusWithCapture(payment.reservationId, status, iso(now), capture.amount, capture.providerRef);
  else store.setStatus(payment.reservationId, status, iso(now));
  const meta = { key: payment.reservationId, occurredAt: iso(now), ...causedBy(cause) };
  const ids = { reservationId: payment.reservationId, paymentId: payment.paymentId };
  for (const e of events) {
    switch (e.type) {
      case 'ChargeStarted':
        break; // recorded as the CHARGING row itself; nobody else needs to know
      case 'PaymentSucceeded':
        store.outbox.add(createEnvelope(PaymentSucceeded, { ...ids, amount: payment.amount ?? 0, currency: payment.currency ?? '' }, meta));
        break;
      case 'PaymentFailed':
        store.outbox.add(createEnvelope(PaymentFailed, { ...ids, code: e.code, message: e.message }, meta));
        break;
      case 'RefundRequested':
        store.outbox.add(createEnvelope(RefundRequested, ids, meta));
        break;
      case 'PaymentRefunded':
        store.outbox.add(createEnvelope(PaymentRefunded, { ...ids, amount: e.amount, currency: payment.currency ?? '' }, meta));
        break;
      case 'PaymentVoided':
        store.outbox.add(createEnvelope(PaymentVoided, ids, meta));
        break;
    }
  }
}
