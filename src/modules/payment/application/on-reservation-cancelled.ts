import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { iso, type Clock } from '../../../platform/clock';
import { newId } from '../../../platform/ids';
import type { ReservationCancelled } from '../../reservation/contracts/events';
import { afterCancellation } from '../domain/payment';
import type { PaymentStore } from '../infrastructure/payment-store';
import { applyTransition, PAYMENT_GROUP } from './apply-transition';

/** Compensation trigger: a cancelled reservation must end with nothing kept by the provider. */
export function onReservationCancelled(store: PaymentStore, clock: Clock) {
  return (envelope: Envelope, p: PayloadOf<typeof ReservationCancelled>): Promise<boolean> =>
    store.write(() => {
      if (!store.inbox.claim(PAYMENT_GROUP, envelope.id)) return false;
      const now = clock.now();
      let payment = store.get(p.reservationId);
      const t = afterCancellation(payment?.status ?? null);
      if (t && !payment) {
        // Cancelled before its ReservationCreated reached us: a tombstone so a late one never charges.
        store.insertIfAbsent({ reservationId: p.reservationId, paymentId: newId(), status: t.status, amount: null, currency: null, now: iso(now) });
        payment = store.get(p.reservationId);
      }
      if (t && payment) applyTransition(store, payment, t, envelope, now);
      return t !== null && t.announce.length > 0;
    });
}
