import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { causedBy, createEnvelope, type Contract } from '../bus/envelope';
import { tempDir } from '../bus/testing/temp-dir';
import { PaymentSucceeded } from '../modules/payment/contracts/events';
import { ReservationCreated } from '../modules/reservation/contracts/events';
import { iso } from '../platform/clock';
import type { Outcome } from '../platform/group-commit';
import { SagaStore } from './infrastructure/saga-store';
import { observeItem, openObserverTarget } from './observer-writer';

const key = (c: Contract) => `${c.type}@${c.version}`;
const now = Date.parse('2030-01-01T09:00:00.000Z');

/** The writer thread's side of the choreography observer, driven here directly, as the thread's host drives it. */
describe('the saga observer on the writer thread', () => {
  it('takes the envelope apart for the crossing and puts it together again: a message that came early is parked whole and applied after the start', () => {
    const file = join(tempDir('observer-'), 'saga.db');
    const app = SagaStore.open(file); // the app's connection creates the file, as it does at start
    const target = openObserverTarget(file);
    // A store answers at once (no promise): the host posts in the same turn.
    const thread = { writeAll: (items: unknown[]) => target.writeAll(items) as Outcome[], close: () => target.close() };
    try {
      const created = createEnvelope(
        ReservationCreated,
        { reservationId: 'r1', customerId: 'c1', resourceId: 'room-1', startsAt: '2031-01-01T10:00:00.000Z', endsAt: '2031-01-01T11:00:00.000Z', amount: 1000, currency: 'EUR', paymentToken: 'tok_ok', paymentDeadline: '2030-01-01T09:15:00.000Z', channel: 'api' },
        { key: 'r1', occurredAt: iso(now), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
      );
      const succeeded = createEnvelope(PaymentSucceeded, { reservationId: 'r1', paymentId: 'p1', amount: 1000, currency: 'EUR' }, { key: 'r1', occurredAt: iso(now + 5), ...causedBy(created) });

      // The payment's event overtakes the reservation's (two relays): kept until the saga starts, whole.
      const withHeaders = { ...succeeded, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01' } };
      expect(thread.writeAll([observeItem(key(PaymentSucceeded), withHeaders, withHeaders.payload, 2, now)])).toEqual([{ ok: true, value: true }]);
      expect(app.get('r1')).toBeNull();
      expect(app.db.prepare('SELECT envelope FROM saga_parked').pluck().all()).toEqual([JSON.stringify(withHeaders)]);

      expect(thread.writeAll([observeItem(key(ReservationCreated), created, created.payload, 1, now + 10)])).toEqual([{ ok: true, value: true }]);
      expect(app.get('r1')?.state).toBe('CONFIRMING');
      expect(app.steps('r1').map((s) => [s.type, s.outcome.split(':')[0], s.messageId, s.correlationId, s.causationId, s.attempt])).toEqual([
        ['payment.PaymentSucceeded', 'parked', succeeded.id, created.id, created.id, 2],
        ['reservation.ReservationCreated', 'applied', created.id, created.id, null, 1],
        ['payment.PaymentSucceeded', 'applied', succeeded.id, created.id, created.id, 2],
      ]);

      // A duplicate delivery changes nothing; a write that throws fails alone.
      const other = createEnvelope(PaymentSucceeded, succeeded.payload as never, { key: 'r1', occurredAt: iso(now) });
      const unknown = observeItem('payment.Nothing@1', other, other.payload, 1, now);
      const outcomes = thread.writeAll([observeItem(key(ReservationCreated), created, created.payload, 1, now), unknown]);
      expect(outcomes[0]).toEqual({ ok: true, value: false });
      expect(outcomes[1]?.ok).toBe(false);
      expect(String(outcomes[1]?.value)).toMatch(/the saga definition has no event payment\.Nothing@1/);
      expect(app.steps('r1')).toHaveLength(3);
    } finally {
      thread.close();
      app.close();
    }
  });

  it('sends null for an envelope without headers (the thread puts back an empty object)', () => {
    const e = createEnvelope(PaymentSucceeded, { reservationId: 'r2', paymentId: 'p2', amount: 1, currency: 'EUR' }, { key: 'r2', occurredAt: iso(now) });
    expect(e.headers).toEqual({});
    expect(observeItem(key(PaymentSucceeded), e, e.payload, 1, now)[7]).toBeNull();
  });
});
