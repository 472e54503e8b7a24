import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { createCallerFactory } from '../../src/api/trpc';
import { loadConfig } from '../../src/config';
import { SAGA_STATES, transitions } from '../../src/saga/definition';
import { sagaDiagram } from '../../src/saga/diagram';
import { SAGA_MODES, startSystem, type System } from '../scenarios/system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});
const caller = (s: System) => createCallerFactory(createAppRouter(s.app))({ authorization: null, adminToken: 'x'.repeat(16) });
const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));

describe.each(SAGA_MODES)('saga.get / saga.list (%s)', (mode) => {
  it('shows the step log of a saga: create → charge → outcome, with message ids and attempts', async () => {
    const s = (sys = await startSystem({ mode }));
    const r = await s.create();
    await s.settle();
    const saga = await caller(s).saga.get({ reservationId: r.id });
    expect(saga).toMatchObject({ reservationId: r.id, mode, state: 'CONFIRMED', endedAt: expect.any(String) });
    const types = saga.steps.map((st) => st.type);
    expect(types[0]).toBe('reservation.ReservationCreated');
    expect(types).toContain('payment.PaymentSucceeded');
    expect(types.at(-1)).toBe('reservation.ReservationConfirmed');
    if (mode === 'orchestration') expect(saga.steps.filter((st) => st.kind === 'command').map((st) => st.type)).toEqual(['payment.ChargePayment', 'reservation.ConfirmReservation']);
    for (const st of saga.steps) expect(st).toMatchObject({ at: expect.any(String), messageId: expect.any(String), attempt: expect.any(Number), outcome: expect.any(String) });
  });

  it('lists sagas newest first with a stable cursor and a state filter; keeps finished ones', async () => {
    const s = (sys = await startSystem({ mode }));
    const ids: string[] = [];
    for (const paymentToken of ['tok_ok', 'tok_decline', 'tok_ok', 'tok_ok', 'tok_decline']) ids.push((await s.create({ paymentToken })).id);
    await s.settle();
    const c = caller(s);
    const first = await c.saga.list({ limit: 2 });
    const second = await c.saga.list({ limit: 2, cursor: first.nextCursor! });
    const third = await c.saga.list({ limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((i) => i.reservationId)).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeNull();
    expect((await c.saga.list({ state: 'CANCELLED' })).items.map((i) => i.reservationId).sort()).toEqual([ids[1], ids[4]].sort());
    // A state filter pages with the cursor too (along the state index: the query names no OR).
    const confirmed1 = await c.saga.list({ state: 'CONFIRMED', limit: 2 });
    const confirmed2 = await c.saga.list({ state: 'CONFIRMED', limit: 2, cursor: confirmed1.nextCursor! });
    expect([...confirmed1.items, ...confirmed2.items].map((i) => i.reservationId)).toEqual([ids[3], ids[2], ids[0]]);
    expect(confirmed2.nextCursor).toBeNull();
  });

  it('unknown reservation → NOT_FOUND; bad input → BAD_REQUEST', async () => {
    const s = (sys = await startSystem({ mode }));
    const c = caller(s);
    expect(await code(c.saga.get({ reservationId: 'nope' }))).toBe('NOT_FOUND');
    expect(await code(c.saga.list({ limit: 0 }))).toBe('BAD_REQUEST');
    expect(await code(c.saga.list({ state: 'NOPE' as never }))).toBe('BAD_REQUEST');
  });
});

describe('SAGA_MODE', () => {
  it('refuses an unknown mode, listing the allowed ones', () => {
    expect(() => loadConfig({ SAGA_MODE: 'telepathy' })).toThrow(/SAGA_MODE must be one of: choreography, orchestration/);
  });
});

describe('the saga diagram', () => {
  it('draws every state and every transition of the definition', () => {
    const d = sagaDiagram();
    for (const s of SAGA_STATES) expect(d).toContain(`  ${s}: ${s}`);
    for (const t of transitions) for (const from of t.from) expect(d).toMatch(new RegExp(`${from === 'START' ? '\\[\\*\\]' : from} --> (${t.to}|COMPENSATING|CANCELLED)`));
  });

  it('is in the README exactly as `npm run saga:diagram` prints it', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /<!-- saga:diagram -->\n```mermaid\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block, 'README needs a ```mermaid block after <!-- saga:diagram -->').toBe(sagaDiagram());
  });
});
