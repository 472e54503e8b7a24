/**
 * Writes tests/fixtures/reservation-v1.db (+ .json, what is in it): a reservation.db made by the code
 * of commit 413ac03, the last one that wrote ReservationCreated v1. It was run there, before the v2
 * change (`npx tsx scripts/make-reservation-v1-fixture.ts`); run now it would write v2 events, so today
 * it only records how the fixture was made. Reservations go through the app as users make them:
 *
 * - confirmed: tok_ok with an idempotency key (the test repeats the request after the upgrade);
 * - declined: tok_decline, so CANCELLED/PAYMENT_DECLINED;
 * - cancelledByCustomer: confirmed, then cancelled with a note (refunded);
 * - undispatched: created by an app whose relay never started (a crash right after the commit), so
 *   its ReservationCreated v1 row is still owed to the bus.
 *
 * The fake clock moves one second before every provider call and between steps, so each event has its own instant.
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../src/bus/testing/fake-clock';
import { tempDir } from '../src/bus/testing/temp-dir';
import { loadConfig } from '../src/config';
import { buildApp } from '../src/compose';
import { SimulatedProvider, type PaymentGateway } from '../src/modules/payment';
import { silentLogger } from '../src/platform/logger';

const OUT = join(import.meta.dirname, '..', 'tests', 'fixtures');
const dir = tempDir('fixture-');
const clock = new FakeClock('2026-03-01T09:00:00.000Z');
const provider = new SimulatedProvider(join(dir, 'provider.db'), clock);
const slowProvider: PaymentGateway = {
  charge: async (req) => (await clock.advance(1_000), provider.charge(req)),
  refund: async (req) => (await clock.advance(1_000), provider.refund(req)),
};
const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
const input = (n: number, paymentToken: string) => ({
  customerId: 'fixture-customer',
  resourceId: 'fixture-room',
  startsAt: `2031-05-0${n}T10:00:00.000Z`,
  endsAt: `2031-05-0${n}T11:00:00.000Z`,
  amount: 4_200,
  currency: 'EUR',
  paymentToken,
});

const app = buildApp(config, { clock, logger: silentLogger, gateway: slowProvider });
await app.start();
const step = async () => {
  await app.settled();
  await clock.advance(1_000);
};
const confirmed = (await app.reservation.create({ ...input(1, 'tok_ok'), idempotencyKey: 'fixture-key-1' })).reservation;
await step();
const declined = (await app.reservation.create(input(2, 'tok_decline'))).reservation;
await step();
const cancelledByCustomer = (await app.reservation.create(input(3, 'tok_ok'))).reservation;
await step();
await app.reservation.cancel({ id: cancelledByCustomer.id, reason: 'plans changed' });
await step();
await app.stop();

// Same files, relay never started: the commit happens, the publication does not.
const crashed = buildApp(config, { clock, logger: silentLogger, gateway: slowProvider });
const undispatched = (await crashed.reservation.create(input(4, 'tok_ok'))).reservation;
await crashed.stop();
provider.close();

mkdirSync(OUT, { recursive: true });
const target = join(OUT, 'reservation-v1.db');
rmSync(target, { force: true });
// The checkpoint worker may still hold the WAL open: VACUUM INTO writes one self-contained file with
// every commit in it (in rollback-journal mode; the app switches it back to WAL when it opens it).
const copy = new Database(join(dir, 'reservation.db'), { readonly: true });
copy.prepare('VACUUM INTO ?').run(target);
copy.close();
const manifest = {
  madeBy: 'scripts/make-reservation-v1-fixture.ts at commit 413ac03 (ReservationCreated v1)',
  clockAfter: new Date(clock.now()).toISOString(),
  reservations: { confirmed: confirmed.id, declined: declined.id, cancelledByCustomer: cancelledByCustomer.id, undispatched: undispatched.id },
  confirmedInput: { ...input(1, 'tok_ok'), idempotencyKey: 'fixture-key-1' },
};
writeFileSync(join(OUT, 'reservation-v1.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(JSON.stringify(manifest, null, 2));
