import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEnvelope, type Contract, type Envelope } from '../bus/envelope';
import { silentLogger } from '../platform/logger';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided, RefundRequested } from '../modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';
import { sourceOf, type EventSource, type SourceName } from './event-source';
import { foldHistories } from './fresh-fold';
import { ReadModelStore } from './infrastructure/read-model-store';
import { overviewOf } from './overview-queries';
import { projectorSubscriptions } from './projector';
import { InlineProjector } from './projector-client';

type Step = [Contract, Record<string, unknown>];
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** What each kind of saga leaves in the two histories, in the order the modules write it. */
const PATHS: Record<string, (amount: number) => Step[]> = {
  confirmed: (amount) => [[ReservationCreated, {}], [PaymentSucceeded, { amount, currency: 'EUR' }], [ReservationConfirmed, {}]],
  declined: () => [[ReservationCreated, {}], [PaymentFailed, { code: 'card_declined', message: 'no' }], [ReservationCancelled, { reason: 'PAYMENT_DECLINED', previousStatus: 'PENDING' }]],
  timedOut: () => [[ReservationCreated, {}], [ReservationCancelled, { reason: 'PAYMENT_TIMEOUT', previousStatus: 'PENDING' }], [PaymentVoided, {}]],
  cancelledAfterConfirm: (amount) => [
    [ReservationCreated, {}],
    [PaymentSucceeded, { amount, currency: 'EUR' }],
    [ReservationConfirmed, {}],
    [ReservationCancelled, { reason: 'CUSTOMER_CANCELLED', previousStatus: 'CONFIRMED', note: 'plans changed' }],
    [RefundRequested, {}],
    [PaymentRefunded, { amount, currency: 'EUR' }],
  ],
  /** Two refunds (a capture that landed after the first refund, say): amounts must add up in any order. */
  refundedTwice: (amount) => [
    [ReservationCreated, {}],
    [PaymentSucceeded, { amount, currency: 'EUR' }],
    [ReservationCancelled, { reason: 'CUSTOMER_CANCELLED', previousStatus: 'PENDING' }],
    [RefundRequested, {}],
    [PaymentRefunded, { amount, currency: 'EUR' }],
    [RefundRequested, {}],
    [PaymentRefunded, { amount: 1, currency: 'EUR' }],
  ],
  lateSuccess: (amount) => [
    [ReservationCreated, {}],
    [ReservationCancelled, { reason: 'CUSTOMER_CANCELLED', previousStatus: 'PENDING' }],
    [RefundRequested, {}],
    [PaymentVoided, {}],
    [RefundRequested, {}],
    [PaymentRefunded, { amount, currency: 'EUR' }],
  ],
};

/** The envelopes of a set of sagas, in the order the two histories hold them, with their positions per source. */
function histories(sagas: Array<{ path: string; cut: number; amount: number }>) {
  const events: Array<{ source: SourceName; contract: Contract; envelope: Envelope }> = [];
  let t = T0;
  sagas.forEach(({ path, cut, amount }, i) => {
    const id = `r${String(i).padStart(3, '0')}`;
    const steps = (PATHS[path] as (a: number) => Step[])(amount);
    for (const [contract, extra] of steps.slice(0, 1 + (cut % steps.length))) {
      const common = { reservationId: id, paymentId: `p-${id}` };
      const payload =
        contract === ReservationCreated
          ? { reservationId: id, customerId: `c${i % 3}`, resourceId: `room-${i}`, startsAt: '2031-01-01T10:00:00.000Z', endsAt: '2031-01-01T11:00:00.000Z', amount, currency: 'EUR', paymentToken: 'tok_ok', paymentDeadline: '2030-01-02T00:00:00.000Z', channel: 'api' }
          : contract.type.startsWith('reservation.') && contract !== ReservationConfirmed
            ? { reservationId: id, ...extra }
            : { ...common, ...extra };
      t += 1_000;
      const envelope = createEnvelope(contract, payload as never, { key: id, occurredAt: new Date(t).toISOString() });
      events.push({ source: sourceOf(contract.type) as SourceName, contract, envelope });
    }
  });
  return events;
}

const memorySources = (events: ReturnType<typeof histories>): EventSource[] =>
  (['reservation', 'payment'] as const).map((name) => {
    const own = events.filter((e) => e.source === name).map((e, i) => ({ position: i + 1, envelope: e.envelope }));
    return { name, read: (after, limit) => own.filter((r) => r.position > after).slice(0, limit), head: () => own.length };
  });

/** Hands the envelopes to the projector's own handlers, in the given order; `together` delivers them all at once (one group commit). */
async function project(deliveries: readonly Envelope[], together: boolean) {
  const store = ReadModelStore.open(':memory:');
  const table = projectorSubscriptions(new InlineProjector(store, () => 1));
  const deliver = (e: Envelope) => {
    const r = table.routes.find((x) => x.contract.type === e.type) as (typeof table.routes)[number];
    return r.handle({ envelope: e, payload: e.payload, log: silentLogger, attempt: 1 });
  };
  if (together) await Promise.all(deliveries.map(deliver));
  else for (const e of deliveries) await deliver(e);
  const rows = store.overview.all(1).map(overviewOf);
  // What SQLite derives for filtering follows the same rules as overview.ts.
  for (const [id, status, paymentStatus] of store.overview.derived(1)) {
    const row = rows.find((r) => r.id === id);
    expect({ id, status, paymentStatus }).toEqual({ id, status: row?.status ?? null, paymentStatus: row ? row.payment.status : paymentStatus });
  }
  const feed = store.feed(1);
  store.close();
  return { rows, feed };
}

const sagasArb = fc.array(
  fc.record({ path: fc.constantFrom(...Object.keys(PATHS)), cut: fc.nat({ max: 6 }), amount: fc.integer({ min: 1, max: 100_000 }) }),
  { minLength: 1, maxLength: 6 },
);

describe('the projector is order-tolerant', () => {
  it('any interleaving of both sources, with duplicates, gives the overview of in-order delivery and of a fresh fold', async () => {
    await fc.assert(
      fc.asyncProperty(sagasArb, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), async (sagas, keys, dups, together) => {
        const events = histories(sagas);
        const inOrder = await project(
          events.map((e) => e.envelope),
          false,
        );
        const shuffled = events.map((e, i) => ({ e: e.envelope, k: keys[i % keys.length] as number, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.e);
        for (const d of dups) shuffled.splice(d % (shuffled.length + 1), 0, shuffled[d % shuffled.length] as Envelope);
        const mixed = await project(shuffled, together);
        expect(mixed.rows).toEqual(inOrder.rows);
        expect(mixed.feed).toEqual(inOrder.feed);
        expect(inOrder.rows).toEqual(foldHistories(memorySources(events)));
        // Every event was counted once, whatever arrived twice.
        expect((mixed.feed.reservation ?? 0) + (mixed.feed.payment ?? 0)).toBe(events.length);
      }),
      { numRuns: 150 },
    );
  });

  it('shows a reservation only once ReservationCreated has arrived, even when its payment came first', async () => {
    const events = histories([{ path: 'confirmed', cut: 2, amount: 700 }]);
    const [created, succeeded] = events.map((e) => e.envelope) as [Envelope, Envelope];
    expect((await project([succeeded], false)).rows).toEqual([]);
    const { rows } = await project([succeeded, created], false);
    expect(rows).toMatchObject([{ id: 'r000', status: 'PENDING', sagaState: 'CONFIRMING', payment: { status: 'CAPTURED', capturedAmount: 700 } }]);
  });
});
