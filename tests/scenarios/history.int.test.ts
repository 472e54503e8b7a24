import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { createCallerFactory } from '../../src/api/trpc';
import type { FakeClock } from '../../src/bus/testing/fake-clock';
import type { PaymentGateway, PaymentHistoryEntry, SimulatedProvider } from '../../src/modules/payment';
import type { ReservationHistoryEntry as Entry } from '../../src/modules/reservation';
import { NotFoundError } from '../../src/platform/errors';
import { SAGA_MODES } from '../../src/saga/definition';
import { DEADLINE_MS, PAST_RETRIES_MS, startSystem, type System } from './system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

const later = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();

/**
 * A provider one second away: the fake clock moves before each call, so the events before and after a
 * charge or a refund have instants of their own (the clock is the system's, bound once it exists).
 */
function slowProvider() {
  let clock: FakeClock | null = null;
  const tick = () => clock?.advance(1_000);
  return {
    bind: (s: System) => void (clock = s.clock),
    gateway: (p: SimulatedProvider): PaymentGateway => ({
      charge: async (req) => (await tick(), p.charge(req)),
      refund: async (req) => (await tick(), p.refund(req)),
    }),
  };
}

/** `get` with `asOf` at each event's instant and just before it, against the statuses expected after each event. */
function expectStateAtEachStep(s: System, id: string, statuses: string[]): Entry[] {
  const history = s.app.reservation.history({ id });
  expect(history.map((e) => e.version)).toEqual(statuses.map((_, i) => i + 1));
  const first = history[0]!;
  expect(() => s.app.reservation.get({ id, asOf: later(first.occurredAt, -1) })).toThrow(NotFoundError);
  expect(() => s.app.reservation.get({ id, asOf: later(first.occurredAt, -1) })).toThrow(/did not exist yet/);
  history.forEach((e, i) => {
    expect(s.app.reservation.get({ id, asOf: e.occurredAt }), `as of event ${e.version}`).toMatchObject({ version: e.version, status: statuses[i], updatedAt: e.occurredAt });
    if (i > 0) expect(s.app.reservation.get({ id, asOf: later(e.occurredAt, -1) }).version).toBe(e.version - 1);
  });
  // Folded to the end, the stream gives exactly the current-state row.
  expect(s.app.reservation.get({ id, asOf: '2999-01-01T00:00:00Z' })).toEqual(s.app.reservation.get({ id }));
  return history;
}

const kinds = (h: PaymentHistoryEntry[]) => h.map((e) => (e.kind === 'event' ? e.type.replace('payment.', '') : e.kind === 'charge-attempt' ? `attempt ${e.attempt} ${e.outcome}` : `${e.kind} ${e.amount}`));

for (const mode of SAGA_MODES) {
  const start = async (o: Parameters<typeof startSystem>[0] = {}) => (sys = await startSystem({ ...o, env: { SAGA_MODE: mode, ...o.env } }));

  describe(`reservation history and state as of an instant (${mode})`, () => {
    it('happy path: ReservationCreated v2 then ReservationConfirmed, token masked, one correlation id', async () => {
      const slow = slowProvider();
      const s = await start({ gateway: slow.gateway });
      slow.bind(s);
      const r = await s.create({ channel: 'web' });
      await s.settle();
      const h = expectStateAtEachStep(s, r.id, ['PENDING', 'CONFIRMED']);
      expect(h[0]).toMatchObject({ type: 'reservation.ReservationCreated', schemaVersion: 2, upcastFrom: null, causationId: null, payload: { channel: 'web', paymentToken: '***', amount: 5_000 } });
      expect(h[1]).toMatchObject({ type: 'reservation.ReservationConfirmed', schemaVersion: 1, payload: { reservationId: r.id } });
      expect(h.every((e) => e.correlationId === r.id)).toBe(true);
      expect(JSON.stringify(h)).not.toContain('tok_ok');
      expect(h[1]!.causationId).toBeTruthy();
      if (mode === 'choreography') {
        // Caused by the payment event the payment side published: the two audit trails meet there.
        const succeeded = s.app.payment.history({ reservationId: r.id }).find((e) => e.kind === 'event' && e.type === 'payment.PaymentSucceeded');
        expect(succeeded).toMatchObject({ messageId: h[1]!.causationId });
      }
      expect(s.app.reservation.get({ id: r.id })).toMatchObject({ status: 'CONFIRMED', channel: 'web' });
      s.check();
    });

    it('declined: ReservationCreated then ReservationCancelled/PAYMENT_DECLINED', async () => {
      const slow = slowProvider();
      const s = await start({ gateway: slow.gateway });
      slow.bind(s);
      const r = await s.create({ paymentToken: 'tok_decline' });
      await s.settle();
      const h = expectStateAtEachStep(s, r.id, ['PENDING', 'CANCELLED']);
      expect(h.map((e) => e.type)).toEqual(['reservation.ReservationCreated', 'reservation.ReservationCancelled']);
      expect(h[1]!.payload).toMatchObject({ reason: 'PAYMENT_DECLINED', previousStatus: 'PENDING' });
      expect(s.app.reservation.get({ id: r.id, asOf: h[0]!.occurredAt }).cancellationReason).toBeNull();
      s.check();
    });

    it('timeout: PENDING until the deadline, then ReservationCancelled/PAYMENT_TIMEOUT', async () => {
      const s = await start();
      s.app.payment.setProviderOutage(true);
      const r = await s.create({ paymentToken: 'tok_outage' });
      await s.advance(DEADLINE_MS + PAST_RETRIES_MS);
      const h = expectStateAtEachStep(s, r.id, ['PENDING', 'CANCELLED']);
      expect(h[1]!.payload).toMatchObject({ reason: 'PAYMENT_TIMEOUT' });
      expect(Date.parse(h[1]!.occurredAt) - Date.parse(h[0]!.occurredAt)).toBeGreaterThanOrEqual(DEADLINE_MS);
      expect(s.app.reservation.get({ id: r.id, asOf: later(h[0]!.occurredAt, DEADLINE_MS / 2) }).status).toBe('PENDING');
      // The refund failed during the outage too: once it is back and the dead letters are replayed, the saga ends.
      s.app.payment.setProviderOutage(false);
      for (const dl of s.app.deadLetters.list({}).items) await s.app.deadLetters.replay(dl.id);
      await s.advance(PAST_RETRIES_MS);
      s.check();
    });

    it('customer cancel after confirmation: created, confirmed, cancelled with the note, each at its instant', async () => {
      const slow = slowProvider();
      const s = await start({ gateway: slow.gateway });
      slow.bind(s);
      const r = await s.create();
      await s.settle();
      await s.advance(1_000);
      await s.app.reservation.cancel({ id: r.id, reason: 'plans changed' });
      await s.settle();
      const h = expectStateAtEachStep(s, r.id, ['PENDING', 'CONFIRMED', 'CANCELLED']);
      expect(h[2]!.payload).toMatchObject({ reason: 'CUSTOMER_CANCELLED', previousStatus: 'CONFIRMED', note: 'plans changed' });
      expect(s.app.reservation.get({ id: r.id, asOf: h[1]!.occurredAt })).toMatchObject({ status: 'CONFIRMED', cancellationNote: null });
      expect(s.app.reservation.get({ id: r.id, asOf: h[2]!.occurredAt })).toMatchObject({ cancellationNote: 'plans changed' });
      s.check();
    });
  });

  describe(`payment history (${mode})`, () => {
    it('flaky token → two provider errors, then the capture and PaymentSucceeded, in that order', async () => {
      const s = await start();
      const r = await s.create({ paymentToken: 'tok_flaky' });
      await s.settle();
      const h = s.app.payment.history({ reservationId: r.id });
      expect(kinds(h)).toEqual(['attempt 1 provider-error', 'attempt 2 provider-error', 'attempt 3 captured', 'capture 5000', 'PaymentSucceeded']);
      expect(h[0]).toMatchObject({ code: 'ProviderUnavailableError', message: expect.stringMatching(/flaky token, attempt 1/), answeredAt: expect.any(String) });
      expect(h[2]).toMatchObject({ providerRef: expect.stringMatching(/^ch_/), code: null });
      s.check();
    });

    it('outage → every attempt a provider error, dead letter; provider back, replay → one more attempt, captured', async () => {
      const s = await start();
      s.app.payment.setProviderOutage(true);
      const r = await s.create();
      await s.advance(PAST_RETRIES_MS);
      const during = s.app.payment.history({ reservationId: r.id });
      expect(during).toHaveLength(12);
      expect(during.every((e) => e.kind === 'charge-attempt' && e.outcome === 'provider-error' && /outage switch/.test(e.message ?? ''))).toBe(true);
      s.app.payment.setProviderOutage(false);
      const [dl] = s.app.deadLetters.list({ group: 'payment' }).items;
      await s.app.deadLetters.replay(dl!.id);
      await s.settle();
      expect(kinds(s.app.payment.history({ reservationId: r.id })).slice(11)).toEqual(['attempt 12 provider-error', 'attempt 13 captured', 'capture 5000', 'PaymentSucceeded']);
      s.check();
    });

    it('customer cancel after confirmation: the capture, then the refund between RefundRequested and PaymentRefunded', async () => {
      const s = await start();
      const r = await s.create();
      await s.settle();
      await s.app.reservation.cancel({ id: r.id });
      await s.settle();
      const h = s.app.payment.history({ reservationId: r.id });
      expect(kinds(h)).toEqual(['attempt 1 captured', 'capture 5000', 'PaymentSucceeded', 'RefundRequested', 'refund 5000', 'PaymentRefunded']);
      const at = h.map((e) => Date.parse(e.at));
      expect([...at].sort((a, b) => a - b)).toEqual(at); // in time order too
      s.check();
    });

    it('declined: one attempt answered with the decline code, then PaymentFailed; nothing captured', async () => {
      const s = await start();
      const r = await s.create({ paymentToken: 'tok_decline' });
      await s.settle();
      const h = s.app.payment.history({ reservationId: r.id });
      expect(kinds(h)).toEqual(['attempt 1 declined', 'PaymentFailed']);
      expect(h[0]).toMatchObject({ code: 'card_declined' });
      s.check();
    });
  });
}

describe('bad input to the history procedures', () => {
  it('malformed asOf → BAD_REQUEST naming the field; unknown ids → NOT_FOUND', async () => {
    const s = (sys = await startSystem());
    const api = createCallerFactory(createAppRouter(s.app))({ authorization: null, adminToken: 'x'.repeat(20) });
    const r = await s.create();
    for (const asOf of ['yesterday', '2031-01-01', '2031-01-01T10:00:00', 42]) {
      const e = await api.reservation.get({ id: r.id, asOf } as never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TRPCError);
      expect((e as TRPCError).code).toBe('BAD_REQUEST');
      expect((e as TRPCError).message).toMatch(/asOf: asOf must be an ISO 8601 instant with a time zone/);
    }
    await expect(api.reservation.history({ id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.reservation.get({ id: 'nope', asOf: '2031-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.payment.history({ reservationId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await s.settle();
  });
});
