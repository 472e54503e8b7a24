import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { createCallerFactory } from '../../src/api/trpc';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';
import { reservationInput, SCENARIO_ENV } from '../scenarios/system';

const ADMIN = 'bad-input-admin-token-0123';
let app: App;
const makeCaller = (authorization: string | null) => createCallerFactory(createAppRouter(app))({ authorization, adminToken: ADMIN });
let api: ReturnType<typeof makeCaller>;
let existingId: string;

/** Row counts and high-water marks of every table in every module database: "nothing changed" is this staying equal. */
function snapshot(): string {
  const dbs = { reservation: app.reservation.store.db, payment: app.payment.store.db };
  const out: Record<string, unknown> = {};
  for (const [name, db] of Object.entries(dbs)) {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    for (const t of tables) out[`${name}.${t}`] = db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get();
    out[`${name}.changes`] = db.prepare('SELECT total_changes()').pluck().get();
  }
  out.deadLetters = app.deadLetters.list({ limit: 500 }).items.length;
  return JSON.stringify(out);
}

async function refused(call: () => Promise<unknown>): Promise<TRPCError> {
  const before = snapshot();
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have been refused').toBeInstanceOf(TRPCError);
  expect(snapshot()).toBe(before);
  return error as TRPCError;
}

beforeAll(async () => {
  app = buildApp(loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('bad-') }), { clock: new FakeClock(), logger: silentLogger });
  await app.start();
  api = makeCaller(`Bearer ${ADMIN}`);
  existingId = (await api.reservation.create(reservationInput())).id;
  await app.settled();
});
afterAll(() => app.stop());

const valid = () => reservationInput();

describe('bad input to reservation.create: a clear error naming the field, and nothing changes', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['amount negative', { amount: -5 }, 'amount'],
    ['amount zero', { amount: 0 }, 'amount'],
    ['amount fractional', { amount: 12.5 }, 'amount'],
    ['amount as a string', { amount: '100' }, 'amount'],
    ['amount huge', { amount: 1e15 }, 'amount'],
    ['currency unknown', { currency: 'XYZ' }, 'currency'],
    ['currency lower case', { currency: 'eur' }, 'currency'],
    ['currency missing', { currency: undefined }, 'currency'],
    ['end before start', { endsAt: '2020-01-01T00:00:00Z' }, 'endsAt'],
    ['end equals start', { endsAt: undefined, sameAsStart: true }, 'endsAt'],
    ['startsAt not a date', { startsAt: 'tomorrow' }, 'startsAt'],
    ['customerId empty', { customerId: '' }, 'customerId'],
    ['customerId huge', { customerId: 'x'.repeat(5_000) }, 'customerId'],
    ['resourceId wrong type', { resourceId: 42 }, 'resourceId'],
    ['paymentToken missing', { paymentToken: undefined }, 'paymentToken'],
    ['paymentToken empty', { paymentToken: '' }, 'paymentToken'],
    ['extra field', { admin: true }, 'admin'],
    ['idempotencyKey empty', { idempotencyKey: '' }, 'idempotencyKey'],
  ];
  for (const [name, change, field] of cases) {
    it(name, async () => {
      const input: Record<string, unknown> = { ...valid(), ...change };
      if (change.sameAsStart) {
        delete input.sameAsStart;
        input.endsAt = input.startsAt;
      }
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete input[k];
      const e = await refused(() => api.reservation.create(input as never));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toContain(field);
    });
  }

  it('names every problem in one answer, the period included', async () => {
    const e = await refused(() => api.reservation.create({ ...valid(), amount: -1, admin: true, endsAt: '2020-01-01T00:00:00Z' } as never));
    for (const field of ['amount', 'admin', 'endsAt must be after startsAt']) expect(e.message).toContain(field);
    // A period that does not parse is reported as such, not also as out of order.
    const bad = await refused(() => api.reservation.create({ ...valid(), startsAt: 'tomorrow' }));
    expect(bad.message).toContain('startsAt');
    expect(bad.message).not.toContain('endsAt must be after startsAt');
  });

  it('refuses whole wrong shapes', async () => {
    for (const input of [null, 'a string', 42, [], {}]) {
      const e = await refused(() => api.reservation.create(input as never));
      expect(e.code).toBe('BAD_REQUEST');
    }
  });

  it('refuses every amount that is not a positive whole number (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ max: 0 }), fc.double({ noNaN: false }).filter((d) => !Number.isInteger(d))), async (amount) => {
        const e = await refused(() => api.reservation.create({ ...valid(), amount }));
        expect(e.code).toBe('BAD_REQUEST');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses any period whose end is not after its start (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.date({ min: new Date('2030-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }), fc.nat({ max: 10 * 86_400_000 }), async (start, back) => {
        const e = await refused(() =>
          api.reservation.create({ ...valid(), startsAt: start.toISOString(), endsAt: new Date(start.getTime() - back).toISOString() }),
        );
        expect(e.message).toContain('endsAt');
      }),
      { numRuns: 40 },
    );
  });
});

describe('bad input to every other procedure', () => {
  it('reservation.get / cancel / list', async () => {
    expect((await refused(() => api.reservation.get({ id: '' }))).code).toBe('BAD_REQUEST');
    expect((await refused(() => api.reservation.get({ id: 'unknown' }))).code).toBe('NOT_FOUND');
    expect((await refused(() => api.reservation.get({ id: existingId, extra: 1 } as never))).code).toBe('BAD_REQUEST');
    expect((await refused(() => api.reservation.cancel({ id: 'unknown' }))).code).toBe('NOT_FOUND');
    expect((await refused(() => api.reservation.cancel({ id: existingId, reason: 'x'.repeat(10_000) }))).code).toBe('BAD_REQUEST');
    expect((await refused(() => api.reservation.cancel({} as never))).message).toContain('id');
    expect((await refused(() => api.reservation.list({ status: 'DONE' } as never))).message).toContain('status');
    expect((await refused(() => api.reservation.list({ limit: 0 }))).message).toContain('limit');
    expect((await refused(() => api.reservation.list({ limit: 1.5 }))).message).toContain('limit');
  });

  it('payment.getByReservation', async () => {
    expect((await refused(() => api.payment.getByReservation({ reservationId: 'unknown' }))).code).toBe('NOT_FOUND');
    expect((await refused(() => api.payment.getByReservation({ reservationId: 7 } as never))).message).toContain('reservationId');
  });

  it('admin procedures', async () => {
    expect((await refused(() => api.admin.deadLetters.get({ id: 'unknown' }))).code).toBe('NOT_FOUND');
    expect((await refused(() => api.admin.deadLetters.replay({ id: 'unknown' }))).code).toBe('NOT_FOUND');
    expect((await refused(() => api.admin.deadLetters.discard({ id: '' }))).code).toBe('BAD_REQUEST');
    expect((await refused(() => api.admin.deadLetters.list({ limit: 10_000 }))).message).toContain('limit');
    expect((await refused(() => api.admin.provider.setOutage({ on: 'yes' } as never))).message).toContain('on');
    const anonymous = makeCaller(null);
    expect((await refused(() => anonymous.admin.provider.setOutage({ on: true }))).code).toBe('UNAUTHORIZED');
    const wrong = makeCaller(`Bearer ${ADMIN}x`);
    expect((await refused(() => wrong.admin.deadLetters.list({}))).code).toBe('UNAUTHORIZED');
  });
});
