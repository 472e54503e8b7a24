import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { iso, type Clock } from '../../../platform/clock';
import { newId } from '../../../platform/ids';
import type { Signal } from '../../../platform/signal';
import type { ChargePayment } from '../contracts/commands';
import { decide, shouldCharge, type ChargeOutcome } from '../domain/payment';
import type { PaymentRecord, PaymentStore } from '../infrastructure/payment-store';
import { applyEvents } from './apply-events';
import { PAYMENT_GROUP } from './consumer-group';
import type { PaymentGateway } from './payment-gateway';

type Charge = PayloadOf<typeof ChargePayment>;

/**
 * The charge step: transaction 1 records that a charge is under way, the provider is called outside any
 * transaction with the reservation id as idempotency key, transaction 2 records the answer, the inbox
 * entry and the outgoing event. A crash between them redelivers the message; the provider answers the
 * same key with the same result, so nobody is charged twice. Returns whether anything was announced.
 */
export function chargePayment(store: PaymentStore, gateway: PaymentGateway, clock: Clock, reconciled: Signal) {
  /** True: call the provider now. False: nothing to charge (anything to announce is in the outbox). */
  const begin = (envelope: Envelope, c: Charge): boolean => {
    // The common case in one statement: no payment yet (StartCharge on no state is ChargeStarted). Then this
    // message cannot have been handled before (every path that records a charge request in the inbox has a
    // payment row), so no inbox look-up.
    const fresh = { reservationId: c.reservationId, paymentId: newId(), status: 'CHARGING' as const, amount: c.amount, currency: c.currency, now: iso(clock.now()) };
    if (store.insertIfAbsent(fresh)) return true;
    if (store.inbox.seen(PAYMENT_GROUP, envelope.id)) return false;
    const existing = store.get(c.reservationId) as PaymentRecord;
    if (shouldCharge(existing)) return true;
    store.inbox.record(PAYMENT_GROUP, envelope.id); // decided already (e.g. voided before we ever charged)
    const events = decide({ kind: 'StartCharge' }, { status: existing.status, chargeStarted: existing.amount !== null });
    applyEvents(store, existing, events, envelope, clock.now());
    if (events.length > 0) reconciled.notify();
    return false;
  };

  const finish = (envelope: Envelope, c: Charge, result: ChargeOutcome): boolean => {
    if (!store.inbox.claim(PAYMENT_GROUP, envelope.id)) return false;
    const payment = store.get(c.reservationId);
    if (!payment) throw new Error(`payment for reservation ${c.reservationId} vanished during its charge`);
    const now = clock.now();
    const events = decide({ kind: 'RecordCharge', result }, payment);
    // One charge key captures at most once; a refund may already have reconciled this capture.
    const unrecorded = result.outcome === 'captured' ? result.amount - payment.capturedAmount : 0;
    const capture = result.outcome === 'captured' && unrecorded > 0 && events.length > 0 ? { amount: unrecorded, providerRef: result.providerRef } : undefined;
    if (result.outcome === 'declined' && events.length > 0) store.recordDecline(c.reservationId, result.code, result.message);
    applyEvents(store, payment, events, envelope, now, capture);
    return events.length > 0;
  };

  return async (envelope: Envelope, c: Charge): Promise<boolean> => {
    if (!(await store.write(() => begin(envelope, c)))) return false; // committed before the provider is called
    const result = await gateway.charge({ idempotencyKey: c.reservationId, amount: c.amount, currency: c.currency, token: c.paymentToken });
    return store.write(() => finish(envelope, c, result));
  };
}
