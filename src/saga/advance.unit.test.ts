import { describe, expect, it } from 'vitest';
import type { Contract } from '../platform/contract';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided } from '../modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';
import { advance, type Instance, type Trigger } from './advance';
import { DEADLINE } from './definition';

const id = 'r1';
const payloads = new Map<Contract, unknown>([
  [ReservationCreated, { reservationId: id, customerId: 'c', resourceId: 'x', startsAt: '2030-01-01T00:00:00.000Z', endsAt: '2030-01-01T01:00:00.000Z', amount: 500, currency: 'EUR', paymentToken: 'tok_ok', paymentDeadline: '2030-01-01T00:00:00.000Z' }],
  [PaymentSucceeded, { reservationId: id, paymentId: 'p1', amount: 500, currency: 'EUR' }],
  [PaymentFailed, { reservationId: id, paymentId: 'p1', code: 'card_declined', message: 'no' }],
  [PaymentRefunded, { reservationId: id, paymentId: 'p1', amount: 500, currency: 'EUR' }],
  [PaymentVoided, { reservationId: id, paymentId: 'p1' }],
  [ReservationConfirmed, { reservationId: id, paymentId: 'p1' }],
]);
const cancelled = (reason: string): Trigger => ({ kind: 'message', contract: ReservationCancelled, payload: { reservationId: id, reason, previousStatus: 'PENDING' } });
const msg = (c: Contract): Trigger => ({ kind: 'message', contract: c, payload: payloads.get(c) });

/** Applies triggers in order; returns the states passed and every command sent. */
function run(...triggers: Trigger[]) {
  let inst = null as Instance | null;
  const states: string[] = [];
  const sent: string[] = [];
  for (const t of triggers) {
    const a = advance(inst, t);
    if (a.outcome === 'applied') {
      inst = { state: a.state, data: a.data };
      sent.push(...a.send.map((s) => s.contract.type.split('.')[1] as string));
    } else if (a.outcome === 'ignored' && inst !== null) inst = { state: inst.state, data: a.data };
    states.push(a.outcome === 'applied' ? a.state : a.outcome);
  }
  return { states, sent, inst };
}

describe('the saga definition, applied (advance)', () => {
  it('happy path: charge, confirm, CONFIRMED', () => {
    expect(run(msg(ReservationCreated), msg(PaymentSucceeded), msg(ReservationConfirmed))).toMatchObject({
      states: ['AWAITING_PAYMENT', 'CONFIRMING', 'CONFIRMED'],
      sent: ['ChargePayment', 'ConfirmReservation'],
    });
  });

  it('decline: the slot is released, nothing to refund', () => {
    expect(run(msg(ReservationCreated), msg(PaymentFailed), cancelled('PAYMENT_DECLINED'))).toMatchObject({
      states: ['AWAITING_PAYMENT', 'COMPENSATING', 'CANCELLED'],
      sent: ['ChargePayment', 'CancelReservation'],
    });
  });

  it('deadline: the slot (the only completed step) is released first; the charge still in flight is refunded once it is', () => {
    expect(run(msg(ReservationCreated), { kind: DEADLINE }, cancelled('PAYMENT_TIMEOUT'), msg(PaymentVoided))).toMatchObject({
      states: ['AWAITING_PAYMENT', 'COMPENSATING', 'COMPENSATING', 'CANCELLED'],
      sent: ['ChargePayment', 'CancelReservation', 'RefundPayment'],
    });
  });

  it('deadline, but the reservation was confirmed before the release reached it: CONFIRMED, nothing refunded', () => {
    expect(run(msg(ReservationCreated), { kind: DEADLINE }, msg(ReservationConfirmed))).toMatchObject({
      states: ['AWAITING_PAYMENT', 'COMPENSATING', 'CONFIRMED'],
      sent: ['ChargePayment', 'CancelReservation'],
    });
  });

  it('a confirmed reservation cancelled by its customer: compensations last step first (the refund), the slot released by the cancellation', () => {
    expect(run(msg(ReservationCreated), msg(PaymentSucceeded), msg(ReservationConfirmed), cancelled('CUSTOMER_CANCELLED')).sent).toEqual(['ChargePayment', 'ConfirmReservation', 'RefundPayment']);
  });

  it('a customer cancelling a confirmed reservation is refunded; the slot was released by the cancellation itself', () => {
    const r = run(msg(ReservationCreated), msg(PaymentSucceeded), msg(ReservationConfirmed), cancelled('CUSTOMER_CANCELLED'), msg(PaymentRefunded));
    expect(r).toMatchObject({ states: ['AWAITING_PAYMENT', 'CONFIRMING', 'CONFIRMED', 'COMPENSATING', 'CANCELLED'], sent: ['ChargePayment', 'ConfirmReservation', 'RefundPayment'] });
  });

  it('late success: a capture after the deadline changes nothing; the refund settles it', () => {
    const r = run(msg(ReservationCreated), { kind: DEADLINE }, msg(PaymentSucceeded), cancelled('PAYMENT_TIMEOUT'), msg(PaymentRefunded));
    expect(r.states).toEqual(['AWAITING_PAYMENT', 'COMPENSATING', 'ignored', 'COMPENSATING', 'CANCELLED']);
    expect(r.sent).not.toContain('ConfirmReservation');
  });

  it('a reply before the start is early; a repeat after the end is ignored', () => {
    expect(run(msg(PaymentSucceeded)).states).toEqual(['early']);
    expect(run(msg(ReservationCreated), msg(PaymentSucceeded), msg(ReservationConfirmed), msg(PaymentSucceeded)).states.at(-1)).toBe('ignored');
  });

  it('out of order: the confirmation before the payment event still ends CONFIRMED', () => {
    expect(run(msg(ReservationCreated), msg(ReservationConfirmed), msg(PaymentSucceeded)).states).toEqual(['AWAITING_PAYMENT', 'CONFIRMED', 'ignored']);
  });

  it('a compensation reply that overtook its cause still counts (observer, reordered delivery)', () => {
    expect(run(msg(ReservationCreated), msg(PaymentVoided), cancelled('PAYMENT_TIMEOUT')).states).toEqual(['AWAITING_PAYMENT', 'ignored', 'CANCELLED']);
    expect(run(msg(ReservationCreated), cancelled('PAYMENT_DECLINED'), msg(PaymentFailed)).states).toEqual(['AWAITING_PAYMENT', 'COMPENSATING', 'CANCELLED']);
  });

  it('never keeps the payment token in the saga data', () => {
    expect(JSON.stringify(run(msg(ReservationCreated)).inst)).not.toContain('tok_ok');
  });
});
