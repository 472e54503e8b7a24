import type { Envelope, PayloadOf } from '../../../bus/envelope';
import { toError } from '../../../bus/errors';
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
 * The charge step: transaction 1 records that a charge is under way and that an attempt starts, the
 * provider is called outside any transaction with the reservation id as idempotency key, transaction 2
 * records the answer (on the attempt too), the inbox entry and the outgoing event; a provider error is
 * written on the attempt before it goes up to the retry layer. A crash between them redelivers the message; the provider answers the
 * same key with the same result, so nobody is charged twice. Returns whether anything was announced.
 */
export function chargePayment(store: PaymentStore, gateway: PaymentGateway, clock: Clock, reconciled: Signal) {
  /** Whether the provider is to be called for this message (then, in the same transaction, the attempt's start is recorded). */
  const shouldCall = (envelope: Envelope, c: Charge): boolean => {
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
  const begin = (envelope: Envelope, c: Charge): number | null => (shouldCall(envelope, c) ? store.startAttempt(c.reservationId, iso(clock.now())) : null);

  const finish = (envelope: Envelope, c: Charge, result: ChargeOutcome, attempt: number): boolean => {
    // The answer is part of the audit trail even when this delivery turns out to be a repeat.
    store.answerAttempt(
      attempt,
      iso(clock.now()),
      result.outcome === 'captured' ? { outcome: 'captured', providerRef: result.providerRef } : { outcome: 'declined', code: result.code, message: result.message },
    );
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
    const attempt = await store.write(() => begin(envelope, c)); // committed before the provider is called
    if (attempt === null) return false;
    let result: ChargeOutcome;
    try {
      result = await gateway.charge({ idempotencyKey: c.reservationId, amount: c.amount, currency: c.currency, token: c.paymentToken });
    } catch (error) {
      // Kept for the audit trail, then thrown on: the bus retries (or dead-letters) the message as before.
      const e = toError(error);
      await store.write(() => store.answerAttempt(attempt, iso(clock.now()), { outcome: 'provider-error', code: e.name, message: e.message }));
      throw error;
    }
    return store.write(() => finish(envelope, c, result, attempt));
  };
}
