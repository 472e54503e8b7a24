import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findDivergences, findSlotsHeldTwice, SlotSweep } from '../../src/audit/find-divergences';
import { DEADLINE_MS, PAST_RETRIES_MS, SAGA_MODES, startSystem, type System } from './system';

/** Pages of two reservations: every scenario here reads several pages, so a record is never lost between two. */
const AUDIT_IN_PAGES = { AUDIT_PAGE_SIZE: '2' };

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

/** Edits one module's file by hand while the app is stopped (what a restore from an old backup does). */
const edit = (dir: string, file: string, sql: string, ...params: string[]) => {
  const db = new Database(join(dir, file));
  for (const stmt of sql.split(';').map((x) => x.trim()).filter(Boolean)) db.prepare(stmt).run(...params.slice(0, (stmt.match(/\?/g) ?? []).length));
  db.close();
};
/** Past the saga's time to converge, so what the auditor finds is a violation, not work in flight. */
const pastTheWindow = (s: System) => s.advance(DEADLINE_MS + PAST_RETRIES_MS + 10_000);
const kinds = (s: System) => s.app.auditor.run().violations.map((v) => v.kind);

describe.each(SAGA_MODES)('the consistency auditor (%s)', (mode) => {
  it('a healthy run under load reports only in-flight items, and nothing once they converge', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.create({ paymentToken: ['tok_ok', 'tok_decline', 'tok_flaky'][i % 3]! })));
    const during = s.app.auditor.run(); // committed, their sagas under way
    expect(during.violations).toEqual([]);
    await s.settle();
    const after = s.app.auditor.run();
    expect(after).toMatchObject({ reservations: 30, violations: [], inFlight: [], clean: true });
  });

  it('payment lost its records (payment.db restored from before the charge): payment-missing → redeliver-history → books agree, charged once', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    const r = await s.create();
    await s.settle();
    await s.restart((dir) => edit(dir, 'payment.db', 'DELETE FROM payments WHERE reservation_id = ?; DELETE FROM payment_operations WHERE reservation_id = ?; DELETE FROM inbox', r.id, r.id));
    await pastTheWindow(s);
    const report = s.app.auditor.run();
    expect(report.violations.map((v) => v.id)).toEqual([`payment-missing:${r.id}`]);
    expect(report.violations[0]).toMatchObject({ repair: 'redeliver-history', inFlight: false, lastedMs: expect.any(Number) });
    await s.app.auditor.repair(`payment-missing:${r.id}`);
    await s.settle();
    expect(s.payment(r.id)).toMatchObject({ status: 'CAPTURED', capturedAmount: 5_000 });
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, refunded: 0 });
    expect(kinds(s)).toEqual([]);
    expect(s.app.auditor.trail()).toMatchObject([{ findingId: `payment-missing:${r.id}`, repair: 'redeliver-history', outcome: expect.stringMatching(/^redelivered/) }]);
    s.check();
  });

  it('the saga lost its instance (saga.db restored): saga-missing → redeliver-history → the saga ends as its reservation did', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    const ok = await s.create();
    const declined = await s.create({ paymentToken: 'tok_decline' });
    await s.settle();
    await s.restart((dir) => edit(dir, 'saga.db', 'DELETE FROM saga_instances; DELETE FROM saga_steps; DELETE FROM saga_deadlines; DELETE FROM inbox'));
    await pastTheWindow(s);
    expect(kinds(s).sort()).toEqual(['saga-missing', 'saga-missing']);
    for (const r of [ok, declined]) await s.app.auditor.repair(`saga-missing:${r.id}`);
    await s.settle();
    expect(s.saga(ok.id).state).toBe('CONFIRMED');
    expect(s.saga(declined.id).state).toBe('CANCELLED');
    expect(kinds(s)).toEqual([]);
    expect(s.ledgerOf(ok.id)).toMatchObject({ captures: 1 });
    s.check();
  });

  it('money kept for a cancelled reservation: cancelled-with-money-kept → request-refund → net zero', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    const r = await s.create();
    await s.settle();
    await s.app.reservation.cancel({ id: r.id });
    await s.settle();
    // As if the provider had lost the refund: its ledger keeps the capture.
    await s.restart((dir) => edit(dir, 'provider.db', 'DELETE FROM refunds WHERE charge_key = ?', r.id));
    await pastTheWindow(s);
    expect(kinds(s)).toContain('cancelled-with-money-kept');
    await s.app.auditor.repair(`cancelled-with-money-kept:${r.id}`);
    await s.settle();
    expect(s.ledgerOf(r.id)).toMatchObject({ net: 0 });
    expect(kinds(s)).not.toContain('cancelled-with-money-kept');
  });

  it('a reservation lost while its charge was kept (reservation.db restored): charge-without-reservation → request-refund → net zero', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    const r = await s.create();
    await s.settle();
    await s.restart((dir) => edit(dir, 'reservation.db', 'DELETE FROM reservations WHERE id = ?; DELETE FROM events WHERE stream_id = ?', r.id, r.id));
    await pastTheWindow(s);
    expect(kinds(s)).toEqual(['charge-without-reservation']);
    await s.app.auditor.repair(`charge-without-reservation:${r.id}`);
    await s.settle();
    expect(s.ledgerOf(r.id)).toMatchObject({ captured: 5_000, refunded: 5_000, net: 0 });
    expect(kinds(s)).toEqual([]);
  });

  it('an unknown finding is NOT_FOUND; a manual one is refused and written to the trail', async () => {
    const s = (sys = await startSystem({ mode, env: AUDIT_IN_PAGES }));
    const r = await s.create();
    await s.settle();
    await expect(s.app.auditor.repair('payment-missing:nope')).rejects.toMatchObject({ category: 'not-found' });
    await s.restart((dir) => edit(dir, 'provider.db', 'DELETE FROM charges WHERE key = ?', r.id));
    await pastTheWindow(s);
    expect(kinds(s)).toContain('confirmed-without-capture');
    await expect(s.app.auditor.repair(`confirmed-without-capture:${r.id}`)).rejects.toThrow(/no automatic repair/);
    expect(s.app.auditor.trail()[0]).toMatchObject({ repair: 'manual', outcome: expect.stringMatching(/^refused/) });
  });
});

describe('the consistency auditor, orchestration only', () => {
  it('a PENDING reservation whose deadline lived in a lost saga.db: pending-past-deadline → redeliver-history → cancelled at its deadline', async () => {
    const s = (sys = await startSystem({ mode: 'orchestration', env: AUDIT_IN_PAGES }));
    s.app.payment.setProviderOutage(true);
    const r = await s.create();
    await s.settle();
    await s.restart((dir) => edit(dir, 'saga.db', 'DELETE FROM saga_instances; DELETE FROM saga_deadlines; DELETE FROM inbox'));
    await pastTheWindow(s);
    expect(kinds(s)).toEqual(expect.arrayContaining(['pending-past-deadline', 'saga-missing']));
    s.app.payment.setProviderOutage(false);
    await s.app.auditor.repair(`pending-past-deadline:${r.id}`);
    await s.advance(PAST_RETRIES_MS);
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    for (const dl of s.app.deadLetters.list({}).items) await s.app.deadLetters.replay(dl.id);
    await s.advance(PAST_RETRIES_MS);
    expect(kinds(s)).toEqual([]);
    s.check();
  });
});

describe('divergence rules with no repairable cause here (pure)', () => {
  const base = { id: 'a', status: 'CONFIRMED' as const, amount: 100, resourceId: 'room', startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T12:00:00Z', paymentDeadline: '2030-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z' };
  it('names a double capture and a slot held twice, as manual repairs', () => {
    const held = [base, { ...base, id: 'b', startsAt: '2030-01-01T11:00:00Z' }];
    const found = findDivergences(
      { now: Date.parse('2030-06-01T00:00:00Z'), reservations: held, payments: null, ledger: new Map([['a', { captures: 2, captured: 200, refunded: 0, net: 200 }], ['b', { captures: 1, captured: 100, refunded: 0, net: 100 }]]), sagas: null },
      { windowMs: 1_000, retryBudgetMs: 1_000 },
    );
    expect([...found, ...findSlotsHeldTwice(held)].map((f) => [f.kind, f.repair])).toEqual(expect.arrayContaining([['captured-twice', 'manual'], ['slot-held-twice', 'manual']]));
  });

  it('finds a slot held twice behind a shorter booking, in one pass over the held slots (sorted by resource, then start)', () => {
    const long = { ...base, id: 'long', startsAt: '2030-01-01T08:00:00Z', endsAt: '2030-01-01T18:00:00Z' };
    const inside = { ...base, id: 'inside', startsAt: '2030-01-01T09:00:00Z', endsAt: '2030-01-01T10:00:00Z' };
    const late = { ...base, id: 'late', startsAt: '2030-01-01T12:00:00Z', endsAt: '2030-01-01T13:00:00Z' };
    const other = { ...base, id: 'other', resourceId: 'room-2', startsAt: '2030-01-01T12:00:00Z', endsAt: '2030-01-01T13:00:00Z' };
    expect(findSlotsHeldTwice([long, inside, late, other]).map((f) => f.id)).toEqual(['slot-held-twice:inside', 'slot-held-twice:late']);
    // Fed a page at a time (as the auditor reads the held-slots index), the sweep finds the same.
    const sweep = new SlotSweep();
    expect([[long], [inside, late], [other]].flatMap((page) => sweep.add(page)).map((f) => f.id)).toEqual(['slot-held-twice:inside', 'slot-held-twice:late']);
  });

  it('reads the audit a page at a time: a charge no reservation knows is found in the page its key falls in', () => {
    const now = Date.parse('2030-06-01T00:00:00Z');
    const window = { windowMs: 1_000, retryBudgetMs: 1_000 };
    const a = { ...base, id: 'a' };
    const c = { ...base, id: 'c', resourceId: 'room-3' };
    const charge = { captures: 1, captured: 100, refunded: 0, net: 100 };
    // Page 1 covers ('', 'a'], page 2 ('a', ∞): the stray charge 'b' belongs to page 2's range.
    const page1 = findDivergences({ now, reservations: [a], payments: null, ledger: new Map([['a', charge]]), sagas: null }, window);
    const page2 = findDivergences({ now, reservations: [c], payments: null, ledger: new Map([['b', charge], ['c', charge]]), sagas: null }, window);
    expect([...page1, ...page2].map((f) => f.id)).toEqual(['charge-without-reservation:b']);
  });
});
