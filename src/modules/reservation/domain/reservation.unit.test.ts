import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../platform/testing/decider-spec';
import { replay, reservationDecider, ReservationRuleBroken, type ReservationCommand, type ReservationEvent } from './reservation';

const created: ReservationEvent = {
  type: 'ReservationCreated',
  data: {
    reservationId: 'r1',
    customerId: 'c1',
    resourceId: 'room-1',
    startsAt: '2027-01-01T10:00:00.000Z',
    endsAt: '2027-01-01T11:00:00.000Z',
    amount: 5_000,
    currency: 'EUR',
    paymentToken: 'tok_ok',
    paymentDeadline: '2026-01-01T00:02:00.000Z',
    channel: 'web',
  },
};
const confirmed: ReservationEvent = { type: 'ReservationConfirmed', data: { reservationId: 'r1', paymentId: 'p1' } };
const cancelled = (reason: 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | 'CUSTOMER_CANCELLED', previousStatus: 'PENDING' | 'CONFIRMED' = 'PENDING'): ReservationEvent => ({
  type: 'ReservationCancelled',
  data: { reservationId: 'r1', reason, previousStatus },
});

/** given events, when command, then events (Emmett style; the helper is shared with payment's decider). */
const spec = deciderSpec(reservationDecider);
const given = (...events: ReservationEvent[]) => ({
  when: (command: ReservationCommand) => ({
    then: (...expected: ReservationEvent[]) => spec(...events).when(command).then(...expected),
    thenThrows: (rule: ReservationRuleBroken['rule']) => spec(...events).when(command).thenThrows({ rule }),
  }),
});

const confirm: ReservationCommand = { kind: 'Confirm', reservationId: 'r1', paymentId: 'p1' };
const cancel = (reason: 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | 'CUSTOMER_CANCELLED'): ReservationCommand => ({ kind: 'Cancel', reservationId: 'r1', reason });

describe('reservation decide/evolve', () => {
  it('creates a pending reservation', () => given().when({ kind: 'Create', data: created.data }).then(created));
  it('refuses to create twice', () => given(created).when({ kind: 'Create', data: created.data }).thenThrows('already-exists'));
  it('refuses an end before the start', () =>
    given().when({ kind: 'Create', data: { ...created.data, endsAt: created.data.startsAt } }).thenThrows('invalid-period'));
  it('confirms a pending reservation once paid', () => given(created).when(confirm).then(confirmed));
  it('ignores a repeated confirmation', () => given(created, confirmed).when(confirm).then());
  it('ignores a late confirmation after a cancellation', () => given(created, cancelled('PAYMENT_TIMEOUT')).when(confirm).then());
  it('cancels a pending reservation when payment is declined', () => given(created).when(cancel('PAYMENT_DECLINED')).then(cancelled('PAYMENT_DECLINED')));
  it('cancels a pending reservation at its deadline', () => given(created).when(cancel('PAYMENT_TIMEOUT')).then(cancelled('PAYMENT_TIMEOUT')));
  it('never times out a confirmed reservation', () => given(created, confirmed).when(cancel('PAYMENT_TIMEOUT')).then());
  it('lets a customer cancel a confirmed reservation', () =>
    given(created, confirmed).when(cancel('CUSTOMER_CANCELLED')).then(cancelled('CUSTOMER_CANCELLED', 'CONFIRMED')));
  it('treats cancelling a cancelled reservation as done', () => given(created, cancelled('PAYMENT_DECLINED')).when(cancel('CUSTOMER_CANCELLED')).then());
  it('knows no reservation that was never created', () => given().when(confirm).thenThrows('not-found'));
  it("keeps the customer's note with the cancellation", () => {
    const withNote: ReservationEvent = { type: 'ReservationCancelled', data: { reservationId: 'r1', reason: 'CUSTOMER_CANCELLED', previousStatus: 'PENDING', note: 'plans changed' } };
    given(created).when({ ...cancel('CUSTOMER_CANCELLED'), note: 'plans changed' } as ReservationCommand).then(withNote);
    expect(replay([created, withNote])).toMatchObject({ status: 'CANCELLED', cancellationNote: 'plans changed' });
    expect(replay([created, cancelled('PAYMENT_DECLINED')])).toMatchObject({ cancellationNote: null });
  });
  it('keeps the payment token out of the state', () => expect(JSON.stringify(replay([created]))).not.toContain('tok_ok'));
});
