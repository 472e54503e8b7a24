import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { iso, type Clock } from '../../../platform/clock';
import { newId } from '../../../platform/ids';
import type { ReservationCreated } from '../../reservation/contracts/events';
import { afterCharge, shouldCharge, type ChargeOutcome } from '../domain/payment';
import type { PaymentRecord, PaymentStore } from '../infrastructure/payment-store';
import { applyTransition, PAYMENT_GROUP } from './apply-transition';
import type { PaymentGateway } from './payment-gateway';

type Created = PayloadOf<typeof ReservationCreated>;

/**
 * Charge step: transaction 1 records that a charge is under way, the provider is called outside any
 * transaction with the reservation id as idempotency key, transaction 2 records the answer, the inbox
 * entry and the outgoing event. A crash between them redelivers the message; the provider answers the
 * same key with the same result, so nobody is charged twice.
 */
export function onReservationCreated(store: PaymentStore, gateway: PaymentGateway, clock: Clock) {
  const begin = (envelope: Envelope, p: Created): boolean => {
    // The common case in one statement: no payment yet. Then this message cannot have been handled
    // before (every path that records a ReservationCreated in the inbox has a payment row), so no inbox look-up.
    const fresh = { reservationId: p.reservationId, paymentId: newId(), status: 'CHARGING' as const, amount: p.amount, currency: p.currency, now: iso(clock.now()) };
    if (store.insertIfAbsent(fresh)) return true;
    if (store.inbox.seen(PAYMENT_GROUP, envelope.id)) return false;
    const existing = store.get(p.reservationId) as PaymentRecord;
    if (shouldCharge(existing.status)) return true;
    store.inbox.record(PAYMENT_GROUP, envelope.id); // decided already (e.g. cancelled before we ever charged)
    return false;
  };

  const finish = (envelope: Envelope, p: Created, result: ChargeOutcome): boolean => {
    if (!store.inbox.claim(PAYMENT_GROUP, envelope.id)) return false;
    const payment = store.get(p.reservationId);
    if (!payment) throw new Error(`payment for reservation ${p.reservationId} vanished during its charge`);
    const now = clock.now();
    const t = afterCharge(payment.status, result);
    // One charge key captures at most once; a refund may already have reconciled this capture.
    const unrecorded = result.outcome === 'captured' ? result.amount - payment.capturedAmount : 0;
    const capture = result.outcome === 'captured' && unrecorded > 0 ? { amount: unrecorded, providerRef: result.providerRef } : undefined;
    if (result.outcome === 'declined' && t) store.recordDecline(p.reservationId, result.code, result.message);
    if (t) applyTransition(store, payment, t, envelope, now, capture);
    return t !== null && t.announce.length > 0;
  };

  return async (envelope: Envelope, p: Created): Promise<boolean> => {
    if (!(await store.write(() => begin(envelope, p)))) return false; // committed before the provider is called
    const result = await gateway.charge({ idempotencyKey: p.reservationId, amount: p.amount, currency: p.currency, token: p.paymentToken });
    return store.write(() => finish(envelope, p, result));
  };
}
