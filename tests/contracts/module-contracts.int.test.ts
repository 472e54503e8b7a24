import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/bus/envelope';
// What each consumer imports: reservation consumes payment's contracts, payment consumes reservation's (and its own RefundRequested).
import { PaymentFailed, PaymentSucceeded, RefundRequested, PaymentRefunded } from '../../src/modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../../src/modules/reservation/contracts/events';
import { startSystem, type System } from '../scenarios/system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

const consumerContracts = [PaymentSucceeded, PaymentFailed, PaymentRefunded, RefundRequested, ReservationCreated, ReservationConfirmed, ReservationCancelled];

describe('module contracts', () => {
  it('every event a module publishes parses with the contract its consumers import', async () => {
    const published: Envelope[] = [];
    const s = (sys = await startSystem({
      beforeStart: (app) => app.bus.subscribe('contract-probe', consumerContracts, (m) => void published.push(m.envelope)),
    }));
    const ok = await s.create();
    await s.create({ paymentToken: 'tok_decline' });
    await s.settle();
    await s.app.reservation.cancel({ id: ok.id });
    await s.settle();

    const types = new Set(published.map((e) => `${e.type}.v${e.version}`));
    expect([...types].sort()).toEqual(consumerContracts.map((c) => c.name).sort());
    for (const e of published) {
      const contract = consumerContracts.find((c) => c.type === e.type && c.version === e.version)!;
      expect(contract.schema.safeParse(e.payload).success, `${contract.name} ${JSON.stringify(e.payload)}`).toBe(true);
      expect(e.correlationId).toBeTruthy();
      expect(e.key).toBe((e.payload as { reservationId: string }).reservationId);
    }
    // Every event caused by another names it, and the whole saga shares one correlation id per reservation.
    const byId = new Map(published.map((e) => [e.id, e]));
    for (const e of published.filter((x) => x.causationId && byId.has(x.causationId))) {
      expect(e.correlationId).toBe(byId.get(e.causationId!)!.correlationId);
    }
    s.check();
  });

  it('the stored event stream is the published stream: same ids, same bytes', async () => {
    const published = new Map<string, string>();
    const s = (sys = await startSystem({
      beforeStart: (app) => app.bus.subscribe('bytes-probe', consumerContracts, (m) => void published.set(m.envelope.id, JSON.stringify(m.envelope))),
    }));
    await s.create();
    await s.settle();
    const rows = s.app.reservation.store.db.prepare('SELECT envelope FROM events').pluck().all() as string[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(published.get((JSON.parse(r) as { id: string }).id)).toBe(r);
  });
});
