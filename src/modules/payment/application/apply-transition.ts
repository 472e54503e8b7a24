import { causedBy, createEnvelope, type Envelope } from '../../../bus/envelope';
import { iso } from '../../../platform/clock';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, RefundRequested } from '../contracts/events';
import type { Transition } from '../domain/payment';
import type { PaymentRecord, PaymentStore } from '../infrastructure/payment-store';

export const PAYMENT_GROUP = 'payment';

/**
 * Writes the new status (with the capture that led to it, if any) and puts each announcement in the
 * outbox, in the caller's transaction.
 */
export function applyTransition(
  store: PaymentStore,
  payment: PaymentRecord,
  t: Transition,
  cause: Envelope,
  now: number,
  capture?: { amount: number; providerRef: string },
): void {
  if (capture) store.setStatusWithCapture(payment.reservationId, t.status, iso(now), capture.amount, capture.providerRef);
  else store.setStatus(payment.reservationId, t.status, iso(now));
  const meta = { key: payment.reservationId, occurredAt: iso(now), ...causedBy(cause) };
  const ids = { reservationId: payment.reservationId, paymentId: payment.paymentId };
  for (const a of t.announce) {
    switch (a.type) {
      case 'PaymentSucceeded':
        store.outbox.add(createEnvelope(PaymentSucceeded, { ...ids, amount: payment.amount ?? 0, currency: payment.currency ?? '' }, meta));
        break;
      case 'PaymentFailed':
        store.outbox.add(createEnvelope(PaymentFailed, { ...ids, code: a.code, message: a.message }, meta));
        break;
      case 'RefundRequested':
        store.outbox.add(createEnvelope(RefundRequested, ids, meta));
        break;
      case 'PaymentRefunded':
        store.outbox.add(createEnvelope(PaymentRefunded, { ...ids, amount: a.amount, currency: payment.currency ?? '' }, meta));
        break;
    }
  }
}
