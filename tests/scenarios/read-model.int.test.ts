import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { createCallerFactory } from '../../src/api/trpc';
import { GatedTransport } from '../../src/bus/testing/gated-transport';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { backgroundCheckpointer } from '../../src/platform/checkpointer';
import { silentLogger } from '../../src/platform/logger';
import { ReadModel } from '../../src/read-model/read-model';
import { startSystem, type System } from './system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});
const start = async (o: Parameters<typeof startSystem>[0] = {}) => (sys = await startSystem(o));

/** Lets the event loop turn until `done` holds (a rebuild yields between chunks); no time passes. */
async function turnsUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (done()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}

/** Every page of `overview.list`, with `between` run after each page. */
async function allPages(s: System, limit: number, between: () => Promise<void> = async () => {}) {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = s.app.readModel.list({ limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
    await between();
  } while (cursor);
  return ids;
}

describe('read model: the reservation overview', () => {
  it('joins a reservation with its payment, its saga state and the time of every step; reservation.get reads its own table at once', async () => {
    const s = await start();
    const confirmed = await s.create();
    const declined = await s.create({ paymentToken: 'tok_decline', resourceId: 'court-9' });
    expect(s.reservation(confirmed.id).status).toBe('PENDING'); // read-your-writes on the write side
    await s.settle();
    const a = s.app.readModel.get({ id: confirmed.id });
    expect(a).toMatchObject({
      item: { id: confirmed.id, status: 'CONFIRMED', amount: 5_000, payment: { status: 'CAPTURED', capturedAmount: 5_000, refundedAmount: 0 }, sagaState: 'CONFIRMED' },
      lag: { events: 0, ms: 0 },
      rebuilding: false,
    });
    expect(Object.keys(a.item.steps)).toEqual(['reservation.ReservationCreated', 'payment.PaymentSucceeded', 'reservation.ReservationConfirmed']);
    expect(s.app.readModel.get({ id: declined.id }).item).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', payment: { status: 'DECLINED', declineCode: 'card_declined' } });
    expect(s.app.readModel.list({ paymentStatus: 'DECLINED' }).items.map((i) => i.id)).toEqual([declined.id]);
    expect(s.app.readModel.list({ status: 'CONFIRMED', customerId: 'cust-1' }).items.map((i) => i.id)).toEqual([confirmed.id]);
    expect(s.app.readModel.list({ resourceId: confirmed.resourceId }).items.map((i) => i.id)).toEqual([confirmed.id]);
    expect(s.app.readModel.list({ from: '2025-12-31T00:00:00Z', to: '2026-01-01T00:00:00.000Z' }).items).toEqual([]);
    expect(s.app.readModel.list({ from: '2026-01-01T00:00:00+00:00' }).items).toHaveLength(2);
    expect(() => s.app.readModel.get({ id: 'nope' })).toThrow(/no reservation "nope" in the read model \(yet\)/);
    expect(() => s.app.readModel.list({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toThrow(/from must be before to/);
    s.check();
  });

  it('paging stays stable while rows are added: no duplicates, no skips among the rows of the first page', async () => {
    const s = await start();
    const before: string[] = [];
    for (let i = 0; i < 7; i++) before.push((await s.create()).id);
    await s.settle();
    const seen = await allPages(s, 3, async () => {
      for (let i = 0; i < 2; i++) await s.create();
      await s.settle();
    });
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    expect(seen.slice(0, 7)).toEqual([...before].reverse()); // newest first, and new rows never push old ones onto a later page twice
    s.check();
  });

  it('says how far it trails: events published and not applied, and the age of the oldest; zero once caught up', async () => {
    let gated: GatedTransport | null = null;
    const s = await start({ transport: (t) => (gated = new GatedTransport(t)) });
    const r = await s.create();
    await s.clock.advance(5_000); // held: the relay has published, nobody has received
    expect(s.app.readModel.freshness()).toEqual({ lag: { events: 1, ms: 5_000 }, rebuilding: false });
    expect(s.app.readModel.list({}).items).toEqual([]);
    expect(s.app.readModel.status().sources).toEqual([
      { name: 'reservation', available: true, applied: 0, head: 1, behind: 1 },
      { name: 'payment', available: true, applied: 0, head: 0, behind: 0 },
    ]);
    // Release what is held, turn after turn, until the saga has run through (settle would wait on a held publish).
    await turnsUntil(() => {
      if (gated!.heldCount > 0) void gated!.releaseAll();
      return gated!.heldCount === 0 && s.app.readModel.list({}).items[0]?.status === 'CONFIRMED' && !s.app.bus.transport.busy;
    }, 'the saga ran through the gate');
    await s.settle();
    expect(s.app.readModel.get({ id: r.id })).toMatchObject({ item: { status: 'CONFIRMED' }, lag: { events: 0, ms: 0 } });
    s.check();
  });

  it('answers through tRPC: overview.* for everyone, admin.projections.* with the admin token', async () => {
    const s = await start();
    const r = await s.create();
    await s.settle();
    const caller = (authorization: string | null) => createCallerFactory(createAppRouter(s.app))({ authorization, adminToken: 'read-model-admin-token-1' });
    await expect(caller(null).overview.get({ id: r.id })).resolves.toMatchObject({ item: { id: r.id, sagaState: 'CONFIRMED' }, rebuilding: false });
    await expect(caller(null).overview.list({ limit: 500 })).rejects.toThrow(TRPCError);
    await expect(caller(null).admin.projections.status()).rejects.toThrow(/admin procedures need/);
    const admin = caller('Bearer read-model-admin-token-1');
    await expect(admin.admin.projections.status()).resolves.toMatchObject({ generation: 1, lag: { events: 0 }, rebuilding: false, rebuild: null });
    await expect(admin.admin.projections.rebuild()).resolves.toEqual({ generation: 2, resumed: false, alreadyRunning: false });
    await s.settle();
    await expect(admin.admin.projections.status()).resolves.toMatchObject({ generation: 2, rebuild: { generation: 2, state: 'done', progress: 1 } });
    s.check();
  });
});

describe('read model: rebuilding without stopping', () => {
  const env = { READ_MODEL_REBUILD_BATCH: '2' };

  it('answers from the old rows while rebuilding (rebuilding: true), then switches to an identical model', async () => {
    const s = await start({ env });
    for (let i = 0; i < 5; i++) await s.create({ paymentToken: i === 2 ? 'tok_decline' : 'tok_ok' });
    await s.settle();
    const before = s.app.readModel.rows();
    const started = s.app.readModel.startRebuild();
    expect(started).toEqual({ generation: 2, resumed: false, alreadyRunning: false });
    expect(s.app.readModel.startRebuild()).toEqual({ generation: 2, resumed: false, alreadyRunning: true });
    const during = s.app.readModel.list({});
    expect(during).toMatchObject({ rebuilding: true, lag: { events: 0 } });
    expect(during.items).toHaveLength(5);
    await s.settle(); // covers the rebuild and the clean-up of the old generation
    expect(s.app.readModel.status()).toMatchObject({ generation: 2, rebuilding: false, rebuild: { state: 'done', folded: 15, skipped: 0 } });
    expect(s.app.readModel.rows()).toEqual(before);
    expect(s.app.readModel.store.generations()).toEqual([2]);
    s.check();
  });

  it('a rebuild under concurrent writes gives the identical read model', async () => {
    const s = await start({ env });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await s.create()).id);
    await s.settle();
    s.app.readModel.startRebuild();
    // While it folds two events per source per turn: new sagas, a cancellation, a decline.
    for (let i = 0; i < 6; i++) ids.push((await s.create({ paymentToken: i === 3 ? 'tok_decline' : 'tok_ok' })).id);
    await s.app.reservation.cancel({ id: ids[1]! });
    expect(s.app.readModel.freshness().rebuilding).toBe(true);
    await s.settle();
    expect(s.app.readModel.status()).toMatchObject({ generation: 2, rebuild: { state: 'done' } });
    expect(s.app.readModel.rows().map((r) => r.id)).toEqual([...ids].sort());
    expect(s.app.readModel.rows()).toEqual(s.app.readModel.foldHistories());
    s.check(); // the fresh-fold comparison, lag 0, and agreement with the write sides
  });

  it('a crash mid-rebuild leaves the old model serving; the rebuild resumes where it stopped', async () => {
    const s = await start({ env: { READ_MODEL_REBUILD_BATCH: '1' } });
    for (let i = 0; i < 5; i++) await s.create();
    await s.settle();
    const before = s.app.readModel.rows();
    s.app.readModel.startRebuild();
    await turnsUntil(() => (s.app.readModel.status().rebuild?.folded ?? 0) >= 3, 'three events folded');
    await s.restart(); // stops it between two chunks, exactly where a kill -9 would leave the file

    expect(s.app.readModel.status()).toMatchObject({ generation: 1, rebuilding: false, rebuild: { generation: 2, state: 'interrupted' } });
    expect(s.app.readModel.list({})).toMatchObject({ rebuilding: false });
    expect(s.app.readModel.rows()).toEqual(before);
    const late = await s.create(); // the live generation keeps following the bus
    await s.settle();
    expect(s.app.readModel.get({ id: late.id }).item.status).toBe('CONFIRMED');

    const folded = s.app.readModel.status().rebuild!.folded;
    expect(s.app.readModel.startRebuild()).toEqual({ generation: 2, resumed: true, alreadyRunning: false });
    await s.settle();
    const after = s.app.readModel.status();
    expect(after).toMatchObject({ generation: 2, rebuild: { state: 'done', folded: 18 } });
    expect(folded).toBeGreaterThanOrEqual(3);
    expect(s.app.readModel.store.generations()).toEqual([2]);
    s.check();
  });

  it('restart: true discards an interrupted rebuild and builds a new generation', async () => {
    const s = await start({ env: { READ_MODEL_REBUILD_BATCH: '1' } });
    for (let i = 0; i < 3; i++) await s.create();
    await s.settle();
    s.app.readModel.startRebuild();
    await turnsUntil(() => (s.app.readModel.status().rebuild?.folded ?? 0) >= 1, 'one event folded');
    await s.restart();
    expect(s.app.readModel.startRebuild({ restart: true })).toEqual({ generation: 3, resumed: false, alreadyRunning: false });
    await s.settle();
    expect(s.app.readModel.status()).toMatchObject({ generation: 3, rebuild: { generation: 3, state: 'done', folded: 9 } });
    expect(s.app.readModel.store.generations()).toEqual([3]); // the abandoned generation 2 and the old 1 are gone
    s.check();
  });

  it('a read-model.db created beside existing histories is filled by a rebuild at start', async () => {
    const s = await start();
    for (let i = 0; i < 3; i++) await s.create();
    await s.settle();
    await s.restart(async () => {
      await backgroundCheckpointer.sweep(); // the checkpoint worker has let go of the old file
      for (const f of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm']) rmSync(join(s.dir, f), { force: true });
    });
    await s.settle();
    expect(s.app.readModel.status()).toMatchObject({ generation: 2, rebuild: { state: 'done', folded: 9 }, lag: { events: 0 } });
    expect(s.app.readModel.rows()).toHaveLength(3);
    s.check();
  });

  it('refuses to rebuild where only one module runs (split mode), saying what to do instead', () => {
    const rm = new ReadModel({ dataDir: tempDir('rm-split-'), sources: [{ name: 'reservation', read: () => [], head: () => 0 }], clock: new FakeClock(), log: silentLogger, rebuildBatch: 10 });
    expect(() => rm.startRebuild()).toThrow(/cannot read payment \(split mode\).*npm run projections:rebuild/);
    expect(rm.status().sources).toContainEqual({ name: 'payment', available: false, applied: 0, head: null, behind: null });
    rm.close();
  });
});
