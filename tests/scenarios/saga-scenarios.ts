import { afterEach, describe, expect, it } from 'vitest';
import type { BusKind } from './system';
import { reservationContracts } from '../../src/modules/reservation/contracts/events';
import { paymentContracts } from '../../src/modules/payment/contracts/events';
import { ProviderUnavailableError } from '../../src/modules/payment/application/payment-gateway';
import type { PaymentGateway } from '../../src/modules/payment';
import { DEADLINE_MS, PAST_RETRIES_MS, startSystem, type System } from './system';

/** The saga's scenarios, run on every transport (and in orchestration mode with `{ SAGA_MODE: 'orchestration' }`). */
export function sagaScenarios(bus: BusKind, env: Record<string, string> = {}): void {
let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});
const start = async (o: Parameters<typeof startSystem>[0] = {}) => (sys = await startSystem({ bus, ...o, env: { ...env, ...o.env } }));

describe(`${env.SAGA_MODE ?? 'choreography'} saga on ${bus}`, () => {
  it('happy path: created → charged → CONFIRMED, captured once', async () => {
    const s = await start();
    const r = await s.create();
    expect(r.status).toBe('PENDING');
    await s.settle();
    expect(s.reservation(r.id)).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
    expect(s.payment(r.id)).toMatchObject({ status: 'CAPTURED', capturedAmount: 5_000, refundedAmount: 0 });
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, captured: 5_000, refunded: 0 });
    s.check();
  });

  it('decline → CANCELLED/PAYMENT_DECLINED, and the slot is free again', async () => {
    const s = await start();
    const r = await s.create({ paymentToken: 'tok_decline', resourceId: 'court-7' });
    await s.settle();
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    expect(s.payment(r.id)).toMatchObject({ status: 'DECLINED', declineCode: 'card_declined', capturedAmount: 0 });
    const again = await s.create({ resourceId: 'court-7', startsAt: r.startsAt, endsAt: r.endsAt });
    await s.settle();
    expect(s.reservation(again.id).status).toBe('CONFIRMED');
    expect(s.app.deadLetters.list({}).items).toEqual([]);
    s.check();
  });

  it('an unknown token is declined as invalid, not retried', async () => {
    const s = await start();
    const r = await s.create({ paymentToken: 'tok_nonsense' });
    await s.settle();
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    expect(s.payment(r.id)).toMatchObject({ declineCode: 'invalid_token' });
    s.check();
  });

  it('flaky provider → retried → CONFIRMED, captured once', async () => {
    const s = await start();
    const r = await s.create({ paymentToken: 'tok_flaky' });
    await s.settle();
    expect(s.reservation(r.id).status).toBe('CONFIRMED');
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, refunded: 0 });
    s.check();
  });

  it('flaky provider with no immediate retries → delayed retries → CONFIRMED', async () => {
    const s = await start({ env: { RETRY_IMMEDIATE: '0' } });
    const r = await s.create({ paymentToken: 'tok_flaky' });
    await s.settle();
    // On the in-memory bus retries wait for the fake clock; on a broker they run on real time.
    if (bus === 'memory') expect(s.reservation(r.id).status).toBe('PENDING');
    await s.advance(PAST_RETRIES_MS);
    expect(s.reservation(r.id).status).toBe('CONFIRMED');
    s.check();
  });

  it('outage → retries exhausted → dead letter → provider back → replay → CONFIRMED', async () => {
    const s = await start();
    s.app.payment.setProviderOutage(true);
    const r = await s.create();
    await s.advance(PAST_RETRIES_MS);
    expect(s.reservation(r.id).status).toBe('PENDING');
    const [dl] = s.app.deadLetters.list({ group: 'payment' }).items;
    // Choreography: payment charges on the reservation's event; orchestration: on the orchestrator's command.
    const charge = env.SAGA_MODE === 'orchestration' ? 'payment.ChargePayment' : 'reservation.ReservationCreated';
    expect(dl).toMatchObject({ type: charge, attempts: 12, status: 'open' });
    expect(dl!.errorMessage).toMatch(/outage switch/);
    expect(JSON.stringify(dl)).not.toContain('tok_ok');

    s.app.payment.setProviderOutage(false);
    await expect(s.app.deadLetters.replay(dl!.id)).resolves.toMatchObject({ outcome: 'handled' });
    await s.settle();
    expect(s.reservation(r.id).status).toBe('CONFIRMED');
    expect(s.app.deadLetters.get(dl!.id)).toMatchObject({ status: 'replayed', replays: [{ outcome: 'handled' }] });
    s.check();
  });

  it('deadline passes during an outage → CANCELLED/PAYMENT_TIMEOUT; replaying everything later moves no money', async () => {
    const s = await start();
    s.app.payment.setProviderOutage(true);
    const r = await s.create({ paymentToken: 'tok_outage' });
    await s.advance(DEADLINE_MS + PAST_RETRIES_MS);
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    s.app.payment.setProviderOutage(false);
    for (const dl of s.app.deadLetters.list({}).items) await s.app.deadLetters.replay(dl.id);
    await s.advance(PAST_RETRIES_MS);
    expect(s.ledgerOf(r.id)?.captured ?? 0).toBe(0);
    s.check();
  });

  it('a capture whose answer was lost, then the deadline: refunded, net zero', async () => {
    let loseAnswers = true;
    const s = await start({
      gateway: (p): PaymentGateway => ({
        charge: async (req) => {
          const answer = await p.charge(req);
          if (loseAnswers) throw new ProviderUnavailableError('connection reset after the provider captured');
          return answer;
        },
        refund: (req) => p.refund(req),
      }),
    });
    const r = await s.create();
    await s.advance(DEADLINE_MS + PAST_RETRIES_MS);
    loseAnswers = false;
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, captured: 5_000, refunded: 5_000, net: 0 });
    for (const dl of s.app.deadLetters.list({}).items) await s.app.deadLetters.replay(dl.id);
    await s.settle();
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, refunds: 1, net: 0 });
    s.check();
  });

  it('late success: a charge in flight when the reservation is cancelled is refunded exactly once', async () => {
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const s = await start({
      gateway: (p): PaymentGateway => ({
        charge: async (req) => {
          await gate;
          return p.charge(req);
        },
        refund: (req) => p.refund(req),
      }),
      beforeStart: (app) =>
        // A probe that opens the gate only once payment has seen the cancellation.
        app.bus.subscribe('probe', [reservationContracts[2]], () => openGate()),
    });
    const r = await s.create();
    const cancelled = await s.app.reservation.cancel({ id: r.id });
    expect(cancelled.status).toBe('CANCELLED');
    await s.settle();
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, refunds: 1, net: 0 });
    expect(s.payment(r.id)).toMatchObject({ status: 'REFUNDED', capturedAmount: 5_000, refundedAmount: 5_000 });
    s.check();
  });

  it('customer cancels a confirmed reservation → refunded once, even when asked twice', async () => {
    const notes: Array<string | undefined> = [];
    const s = await start({
      beforeStart: (app) => app.bus.subscribe('probe', [reservationContracts[2]], (m) => void notes.push(m.payload.note)),
    });
    const r = await s.create();
    await s.settle();
    await s.app.reservation.cancel({ id: r.id, reason: '  plans changed ' });
    await s.app.reservation.cancel({ id: r.id, reason: 'asked again' });
    await s.settle();
    // The customer's words are kept (trimmed) and travel with the event; the repeat changes nothing.
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED', cancellationNote: 'plans changed' });
    expect(notes).toEqual(['plans changed']);
    expect(s.payment(r.id)).toMatchObject({ status: 'REFUNDED', refundedAmount: 5_000 });
    expect(s.app.payment.getByReservation({ reservationId: r.id })).toMatchObject({ captures: [{ amount: 5_000 }], refunds: [{ amount: 5_000 }] });
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, refunds: 1, net: 0 });
    s.check();
  });

  it('every message delivered twice → same end state, one capture', async () => {
    const tokens = ['tok_ok', 'tok_decline', 'tok_flaky', 'tok_ok'];
    const seen = new Set<string>();
    const s = await start({
      beforeStart: (app) =>
        app.bus.subscribe('duplicator', [...reservationContracts, ...paymentContracts], (m) => {
          if (seen.has(m.envelope.id)) return;
          seen.add(m.envelope.id);
          void app.bus.publish(m.envelope);
        }),
    });
    const ids: string[] = [];
    for (const paymentToken of tokens) ids.push((await s.create({ paymentToken })).id);
    await s.settle();
    await s.app.reservation.cancel({ id: ids[3]! });
    await s.settle();
    expect(ids.map((id) => s.reservation(id).status)).toEqual(['CONFIRMED', 'CANCELLED', 'CONFIRMED', 'CANCELLED']);
    expect(seen.size).toBeGreaterThan(8);
    for (const id of [ids[0]!, ids[2]!]) expect(s.ledgerOf(id)).toMatchObject({ captures: 1, refunds: 0 });
    expect(s.ledgerOf(ids[3]!)).toMatchObject({ captures: 1, refunds: 1, net: 0 });
    s.check();
  });

  it('a PENDING reservation survives a restart and still times out at its deadline', async () => {
    const s = await start();
    s.app.payment.setProviderOutage(true);
    const r = await s.create({ paymentToken: 'tok_outage' });
    await s.settle();
    await s.restart();
    await s.advance(DEADLINE_MS);
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    await s.advance(PAST_RETRIES_MS);
    s.check();
  });
});
}
