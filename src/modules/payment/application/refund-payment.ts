import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { iso, type Clock } from '../../../platform/clock';
import { newId } from '../../../platform/ids';
import type { RefundPayment } from '../contracts/commands';
import { decide } from '../domain/payment';
import type { PaymentStore } from '../infrastructure/payment-store';
import { applyEvents } from './apply-events';
import { PAYMENT_GROUP } from './consumer-group';

/**
 * The charge's compensation: a cancelled reservation must end with nothing kept by the provider. Safe to
 * repeat: a payment already settled answers PaymentVoided again. Returns whether anything was announced.
 */
export function refundPayment(store: PaymentStore, clock: Clock) {
  return (envelope: Envelope, c: PayloadOf<typeof RefundPayment>): Promise<boolean> =>
    store.write(() => {
      if (!store.inbox.claim(PAYMENT_GROUP, envelope.id)) return false;
      const now = clock.now();
      let payment = store.get(c.reservationId);
      const events = decide({ kind: 'Compensate' }, payment);
      if (events.length === 0) return false;
      if (!payment) {
        // Compensated before its charge request reached us: a tombstone so a late one never charges.
        store.insertIfAbsent({ reservationId: c.reservationId, paymentId: newId(), status: 'CANCELLED', amount: null, currency: null, now: iso(now) });
        payment = store.get(c.reservationId);
      }
      if (payment) applyEvents(store, payment, events, envelope, now);
      return true;
    });
}
