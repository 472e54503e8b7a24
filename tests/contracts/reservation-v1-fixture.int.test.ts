import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/bus/envelope';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { SimulatedProvider } from '../../src/modules/payment';
import { ReservationCreated, ReservationCreatedV1 } from '../../src/modules/reservation/contracts/events';
import { silentLogger } from '../../src/platform/logger';
import { SAGA_MODES } from '../../src/saga/definition';
import { SCENARIO_ENV } from '../scenarios/system';

/** tests/fixtures/reservation-v1.db: written by the code before ReservationCreated v2 (scripts/make-reservation-v1-fixture.ts). */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'reservation-v1.json'), 'utf8')) as {
  clockAfter: string;
  reservations: { confirmed: string; declined: string; cancelledByCustomer: string; undispatched: string };
  confirmedInput: Record<string, unknown>;
};
const ids = manifest.reservations;

let running: { app: App; provider: SimulatedProvider } | null = null;
afterEach(async () => {
  await running?.app.stop();
  running?.provider.close();
  running = null;
});

for (const mode of SAGA_MODES) {
  describe(`a reservation.db written with ReservationCreated v1, opened by this code (${mode})`, () => {
    const open = async () => {
      const dir = tempDir('v1-fixture-');
      copyFileSync(join(FIXTURES, 'reservation-v1.db'), join(dir, 'reservation.db'));
      const clock = new FakeClock(Date.parse(manifest.clockAfter) + 1_000);
      const provider = new SimulatedProvider(join(dir, 'provider.db'), clock);
      const app = buildApp(loadConfig({ ...SCENARIO_ENV, DATA_DIR: dir, SAGA_MODE: mode }), { clock, logger: silentLogger, gateway: provider });
      const asWritten: Envelope[] = [];
      const asRead: Envelope[] = [];
      // One probe asks for v1 itself (it gets the bytes as stored), one reads the current version (lifted).
      app.bus.subscribe('probe-v1', [ReservationCreatedV1], (m) => void asWritten.push(m.envelope));
      app.bus.subscribe('probe-v2', [ReservationCreated], (m) => void asRead.push(m.envelope));
      await app.start();
      await app.settled();
      running = { app, provider };
      return { app, asWritten, asRead };
    };

    it('history shows the v1 events lifted to v2 (channel api), saying they were stored as v1', async () => {
      const { app } = await open();
      const h = app.reservation.history({ id: ids.confirmed });
      expect(h.map((e) => [e.type, e.schemaVersion, e.upcastFrom])).toEqual([
        ['reservation.ReservationCreated', 2, 1],
        ['reservation.ReservationConfirmed', 1, null],
      ]);
      expect(h[0]!.payload).toMatchObject({ channel: 'api', paymentToken: '***', amount: 4_200 });
    });

    it('get reads the migrated current-state row; asOf folds the v1 stream to the same records', async () => {
      const { app } = await open();
      expect(app.reservation.get({ id: ids.confirmed })).toMatchObject({ status: 'CONFIRMED', channel: 'api', version: 2 });
      for (const id of [ids.confirmed, ids.declined, ids.cancelledByCustomer]) {
        expect(app.reservation.get({ id, asOf: '2999-01-01T00:00:00Z' })).toEqual(app.reservation.get({ id }));
      }
      const h = app.reservation.history({ id: ids.cancelledByCustomer });
      expect(h.map((e) => app.reservation.get({ id: ids.cancelledByCustomer, asOf: e.occurredAt }).status)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
      expect(app.reservation.get({ id: ids.cancelledByCustomer })).toMatchObject({ cancellationReason: 'CUSTOMER_CANCELLED', cancellationNote: 'plans changed' });
      expect(app.reservation.get({ id: ids.declined })).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
      expect(() => app.reservation.get({ id: ids.confirmed, asOf: '2026-03-01T08:59:59.999Z' })).toThrow(/did not exist yet/);
    });

    it('the undispatched v1 ReservationCreated is published as stored, lifted by its consumers and handled: CONFIRMED', async () => {
      const { app, asWritten, asRead } = await open();
      expect(asWritten.map((e) => [e.key, e.version])).toEqual([[ids.undispatched, 1]]); // only what the relay still owed
      expect(asRead.map((e) => [e.key, e.version, (e.payload as { channel: string }).channel])).toEqual([[ids.undispatched, 2, 'api']]);
      expect(app.reservation.get({ id: ids.undispatched })).toMatchObject({ status: 'CONFIRMED', channel: 'api' });
      expect(app.payment.getByReservation({ reservationId: ids.undispatched })).toMatchObject({ status: 'CAPTURED', capturedAmount: 4_200 });
      expect(app.saga && app.sagaQueries.get({ reservationId: ids.undispatched }).state).toBe('CONFIRMED');
      expect(app.deadLetters.list({}).items).toEqual([]);
    });

    it('a request repeated with its idempotency key after the upgrade gets the same reservation', async () => {
      const { app } = await open();
      const again = await app.reservation.create(manifest.confirmedInput as never);
      expect(again).toMatchObject({ created: false, reservation: { id: ids.confirmed } });
    });
  });
}
