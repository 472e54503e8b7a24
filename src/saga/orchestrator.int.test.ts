import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnvelope, type Contract, type Envelope } from '../bus/envelope';
import type { Message } from '../bus/ports';
import { FakeClock } from '../bus/testing/fake-clock';
import { tempDir } from '../bus/testing/temp-dir';
import { silentLogger } from '../platform/logger';
import { PaymentSucceeded } from '../modules/payment/contracts/events';
import { ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';
import { SagaStore } from './infrastructure/saga-store';
import { sagaHandlers } from './saga-handlers';

const id = 'r-1';
const created = () =>
  createEnvelope(
    ReservationCreated,
    { reservationId: id, customerId: 'c', resourceId: 'x', startsAt: '2030-01-01T00:00:00.000Z', endsAt: '2030-01-01T01:00:00.000Z', amount: 500, currency: 'EUR', paymentToken: 'tok_ok', paymentDeadline: '2030-01-01T00:05:00.000Z', channel: 'api' },
    { key: id, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: id },
  );
const succeeded = () => createEnvelope(PaymentSucceeded, { reservationId: id, paymentId: 'p-1', amount: 500, currency: 'EUR' }, { key: id, occurredAt: '2030-01-01T00:00:01.000Z', correlationId: id });
const confirmed = () => createEnvelope(ReservationConfirmed, { reservationId: id, paymentId: 'p-1' }, { key: id, occurredAt: '2030-01-01T00:00:02.000Z', correlationId: id });

function orchestrator() {
  const store = SagaStore.open(join(tempDir('saga-'), 'saga.db'));
  const table = sagaHandlers('saga', store, 'orchestration', true, new FakeClock(), () => {});
  const deliver = (e: Envelope, attempt = 1) => {
    const r = table.routes.find((x) => x.contract.type === e.type) as { contract: Contract; handle: (m: Message<unknown>) => Promise<void> };
    return r.handle({ envelope: e, payload: e.payload, log: silentLogger, attempt });
  };
  const sent = () => store.outbox.history(0, 100).map((h) => h.envelope.type);
  return { store, deliver, sent };
}

describe('the orchestrator’s saga instances (saga.db)', () => {
  it('a reply that arrives before its instance exists is parked, then applied right after the start', async () => {
    const o = orchestrator();
    await o.deliver(succeeded());
    expect(o.store.get(id)).toBeNull();
    expect(o.store.steps(id)).toMatchObject([{ type: 'payment.PaymentSucceeded', outcome: expect.stringMatching(/^parked/) }]);
    await o.deliver(created());
    expect(o.store.get(id)).toMatchObject({ state: 'CONFIRMING', version: 2 });
    expect(o.sent()).toEqual(['payment.ChargePayment', 'reservation.ConfirmReservation']);
    o.store.close();
  });

  it('a reply delivered twice changes nothing the second time (inbox)', async () => {
    const o = orchestrator();
    await o.deliver(created());
    const reply = succeeded();
    await o.deliver(reply);
    const after = { instance: o.store.get(id), steps: o.store.steps(id).length, sent: o.sent() };
    await o.deliver(reply, 2);
    expect({ instance: o.store.get(id), steps: o.store.steps(id).length, sent: o.sent() }).toEqual(after);
    o.store.close();
  });

  it('an out-of-order reply is logged as ignored and changes no state', async () => {
    const o = orchestrator();
    await o.deliver(created());
    await o.deliver(confirmed());
    await o.deliver(succeeded());
    expect(o.store.get(id)?.state).toBe('CONFIRMED');
    expect(o.store.steps(id).at(-1)).toMatchObject({ type: 'payment.PaymentSucceeded', outcome: expect.stringMatching(/^ignored/), stateBefore: 'CONFIRMED', stateAfter: 'CONFIRMED' });
    expect(o.sent()).toEqual(['payment.ChargePayment']);
    o.store.close();
  });

  it('arms the deadline in the same transaction as the start, and disarms it when the payment answers', async () => {
    const o = orchestrator();
    await o.deliver(created());
    expect(o.store.nextDeadline()).toBe('2030-01-01T00:05:00.000Z');
    await o.deliver(succeeded());
    expect(o.store.nextDeadline()).toBeNull();
    o.store.close();
  });

  it('compare-and-swap: a write from a stale version is refused and changes nothing', async () => {
    const o = orchestrator();
    await o.deliver(created());
    const i = o.store.get(id)!;
    o.store.update(id, i.version, 'CONFIRMING', i.data, 'now', null);
    expect(() => o.store.update(id, i.version, 'CANCELLED', i.data, 'now', 'now')).toThrow(/changed since version 1/);
    expect(o.store.get(id)).toMatchObject({ state: 'CONFIRMING', version: 2 });
    o.store.close();
  });

  it('logs each command it sends with its message id and the message that caused it', async () => {
    const o = orchestrator();
    const start = created();
    await o.deliver(start);
    const [received, charge] = o.store.steps(id);
    expect(received).toMatchObject({ kind: 'event', messageId: start.id, attempt: 1, stateBefore: null, stateAfter: 'AWAITING_PAYMENT' });
    expect(charge).toMatchObject({ kind: 'command', type: 'payment.ChargePayment', causationId: start.id, correlationId: id });
    expect(JSON.stringify(o.store.outbox.history(0, 10))).toContain('tok_ok'); // the command carries the token to payment…
    expect(JSON.stringify(o.store.get(id))).not.toContain('tok_ok'); // …the instance never keeps it
    o.store.close();
  });
});
