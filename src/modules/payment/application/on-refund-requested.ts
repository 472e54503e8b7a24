import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { NonRetryableError } from '../../../bus/errors';
import { iso, type Clock } from '../../../platform/clock';
import type { RefundRequested } from '../contracts/events';
import { decide } from '../domain/payment';
import type { PaymentStore } from '../infrastructure/payment-store';
import { applyEvents } from './apply-events';
import { PAYMENT_GROUP } from './consumer-group';
import type { PaymentGateway, RefundResult } from './payment-gateway';

/**
 * Compensation: refund whatever the provider still holds for the reservation. The provider refunds the
 * remaining net, keyed by this message, so repeats and overlapping refund requests never refund twice,
 * and a failing refund is retried and dead-lettered like any message, never swallowed.
 */
export function onRefundRequested(store: PaymentStore, gateway: PaymentGateway, clock: Clock) {
  const finish = (envelope: Envelope, reservationId: string, result: RefundResult): boolean => {
    const { refunded, captured, refundedTotal, providerRef } = result;
    if (!store.inbox.claim(PAYMENT_GROUP, envelope.id)) return false;
    const payment = store.get(reservationId);
    if (!payment) throw new NonRetryableError(`refund requested for reservation ${reservationId}, which has no payment`);
    const now = clock.now();
    // A capture whose answer was lost (we saw an error, the provider captured) is reconciled here, so
    // the books show the money that came in and went back out.
    if (captured > payment.capturedAmount) store.recordCapture(reservationId, captured - payment.capturedAmount, 'reconciled-at-refund', iso(now));
    // Likewise a refund the provider made whose record this file lost (e.g. restored from a backup).
    const unrecorded = refundedTotal - refunded - payment.refundedAmount;
    if (unrecorded > 0) store.recordRefund(reservationId, unrecorded, 'reconciled-at-refund', iso(now));
    if (refunded > 0) store.recordRefund(reservationId, refunded, providerRef, iso(now));
    const events = decide({ kind: 'RecordRefund', capturedTotal: Math.max(captured, payment.capturedAmount), refundedNow: refunded }, payment);
    applyEvents(store, payment, events, envelope, now);
    return events.length > 0;
  };

  return async (envelope: Envelope, p: PayloadOf<typeof RefundRequested>): Promise<boolean> => {
    if (store.inbox.seen(PAYMENT_GROUP, envelope.id)) return false;
    const result = await gateway.refund({ idempotencyKey: `refund:${envelope.id}`, chargeKey: p.reservationId });
    return store.write(() => finish(envelope, p.reservationId, result));
  };
}
