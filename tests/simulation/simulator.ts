import { join } from 'node:path';
import { createEnvelope, type Contract } from '../../src/bus/envelope';
import { NonRetryableError } from '../../src/bus/errors';
import type { MessageHandler } from '../../src/bus/ports';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { ProviderUnavailableError } from '../../src/modules/payment/application/payment-gateway';
import { SimulatedProvider, type PaymentGateway } from '../../src/modules/payment';
import { ReservationCreated } from '../../src/modules/reservation/contracts/events';
import { silentLogger } from '../../src/platform/logger';
import { findViolations } from '../scenarios/invariants';
import { SimTransport } from './sim-transport';

/** mulberry32: a small, fast, seedable PRNG; the only source of randomness in a run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEADLINE_MS = 60_000;
const ENV = {
  LOG_LEVEL: 'silent',
  PAYMENT_DEADLINE_MS: String(DEADLINE_MS),
  RETRY_IMMEDIATE: '1',
  RETRY_DELAYED: '2',
  RETRY_BASE_MS: '1000',
  RETRY_MAX_MS: '4000',
  RELAY_POLL_MS: '5000',
};
const TOKENS = ['tok_ok', 'tok_ok', 'tok_ok', 'tok_decline', 'tok_flaky', 'tok_bad'];

const ACTIONS = [
  ['create', 6],
  ['deliver', 10],
  ['duplicate', 2],
  ['deliver-together', 3],
  ['deliver-all', 1.5],
  ['advance', 2],
  ['deadline', 0.4],
  ['cancel', 1],
  ['charge-fault', 1],
  ['refund-fault', 0.5],
  ['handler-fault', 0.8],
  ['outage', 0.5],
  ['crash', 0.8],
  ['bad-create', 0.4],
  ['poison', 0.3],
] as const;
type Action = (typeof ACTIONS)[number][0];

export interface SimResult {
  seed: number;
  steps: number;
  actions: Record<string, number>;
  faults: number;
  reservations: number;
  violations: string[];
  /** Everything that decides the run's course and outcome, for the same-seed-same-run check. */
  fingerprint: string;
}

export type SimMode = 'choreography' | 'orchestration';

/** Runs one seeded schedule of the whole system with faults, then heals it and checks the invariants. */
export async function simulate(seed: number, steps = 60, mode: SimMode = 'choreography'): Promise<SimResult> {
  const rng = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const total = ACTIONS.reduce((s, [, w]) => s + w, 0);
  const nextAction = (): Action => {
    let r = rng() * total;
    for (const [a, w] of ACTIONS) if ((r -= w) < 0) return a;
    return 'deliver';
  };

  const dir = tempDir('sim-');
  const clock = new FakeClock();
  const chargeFaults: Array<'transient' | 'lost-answer' | 'permanent'> = [];
  const refundFaults: Array<'transient'> = [];
  const handlerFaults = new Map<string, Array<'transient' | 'permanent'>>();
  const permanentlyFailed = new Set<string>();
  const poison = new Set<string>();
  const violations: string[] = [];
  const trace: string[] = [];
  const counts: Record<string, number> = {};
  let faults = 0;
  let provider!: SimulatedProvider;
  let transport!: SimTransport;
  let app!: App;
  let live = true; // during the schedule some publishes go straight through; healing schedules them all

  /** A random number of event-loop turns: provider calls overlap in varying orders. */
  const hops = async () => {
    for (let n = Math.floor(rng() * 4); n > 0; n--) await new Promise((r) => setImmediate(r));
  };
  const gateway = (): PaymentGateway => ({
    charge: async (req) => {
      const f = chargeFaults.shift();
      await hops(); // the provider takes a moment: other handlers run meanwhile
      if (f === 'transient') throw new ProviderUnavailableError('sim: provider timed out');
      if (f === 'permanent') throw new NonRetryableError('sim: permanent charge failure');
      const answer = await provider.charge(req);
      if (f === 'lost-answer') throw new ProviderUnavailableError('sim: answer lost after capture');
      return answer;
    },
    refund: async (req) => {
      await hops();
      if (refundFaults.shift()) throw new ProviderUnavailableError('sim: refund timed out');
      return provider.refund(req);
    },
  });
  const decorateHandler = (group: string, handler: MessageHandler<Contract>): MessageHandler<Contract> => async (m) => {
    const f = handlerFaults.get(group)?.shift();
    if (f === 'transient') throw new Error('sim: transient handler failure');
    if (f === 'permanent') {
      permanentlyFailed.add(`${group}|${m.envelope.id}`);
      throw new NonRetryableError('sim: permanent handler failure');
    }
    return handler(m);
  };
  const boot = async () => {
    provider = new SimulatedProvider(join(dir, 'provider.db'), clock);
    app = buildApp(loadConfig({ DATA_DIR: dir, ...ENV, SAGA_MODE: mode }), {
      clock,
      logger: silentLogger,
      random: rng,
      gateway: gateway(),
      decorateHandler,
      wrapTransport: (t) => (transport = new SimTransport(t, () => live && rng() < 0.3)),
    });
    await app.start();
    await flush();
  };
  // Lets committed work reach the transport (relays run on promise continuations); no real time passes.
  const flush = async () => {
    await new Promise((r) => setImmediate(r));
    await app.bus.idle();
    await new Promise((r) => setImmediate(r));
  };
  const advance = (ms: number) => clock.advance(ms, flush);
  const ids: string[] = [];
  const count = () => (app.reservation.store.db.prepare('SELECT COUNT(*) AS n FROM reservations').get() as { n: number }).n;

  await boot();
  try {
    for (let step = 0; step < steps; step++) {
      const action = nextAction();
      counts[action] = (counts[action] ?? 0) + 1;
      let note = '';
      switch (action) {
        case 'create': {
          const token = pick(TOKENS);
          const day = Math.floor(rng() * 40);
          const resource = `res-${Math.floor(rng() * 3)}`;
          try {
            const r = await app.reservation.create({
              customerId: `c${Math.floor(rng() * 5)}`,
              resourceId: resource,
              startsAt: new Date(Date.UTC(2030, 0, 1, day)).toISOString(),
              endsAt: new Date(Date.UTC(2030, 0, 1, day + 1 + Math.floor(rng() * 2))).toISOString(),
              amount: 100 + Math.floor(rng() * 10_000),
              currency: 'EUR',
              paymentToken: token,
            });
            ids.push(r.reservation.id);
            note = `${token} ok`;
          } catch (e) {
            note = `refused ${(e as Error).name}`;
          }
          break;
        }
        case 'bad-create': {
          const before = count();
          const bad = pick([{ amount: -5 }, { amount: 1.5 }, { currency: 'XXX1' }, { endsAt: '2029-01-01T00:00:00Z' }, { customerId: '' }, { extra: true }]);
          let refused = false;
          try {
            await app.reservation.create({ customerId: 'c', resourceId: 'bad', startsAt: '2030-06-01T10:00:00Z', endsAt: '2030-06-01T11:00:00Z', amount: 100, currency: 'EUR', paymentToken: 'tok_ok', ...bad } as never);
          } catch {
            refused = true;
          }
          if (!refused || count() !== before) violations.push(`bad input ${JSON.stringify(bad)} was not refused cleanly`);
          break;
        }
        case 'deliver':
        case 'duplicate':
          if (transport.heldCount > 0) {
            const i = Math.floor(rng() * transport.heldCount); // any held publish: reordering
            note = String(i);
            await transport.deliver(i, action === 'duplicate' ? 2 : 1);
          }
          break;
        case 'deliver-together':
          if (transport.heldCount > 0) {
            const i = Math.floor(rng() * transport.heldCount);
            const j = Math.floor(rng() * transport.heldCount);
            note = `${i},${j}`;
            await transport.deliverTogether(i, j);
          }
          break;
        case 'deliver-all':
          note = String(transport.heldCount);
          await transport.deliverAll();
          break;
        case 'advance':
          await advance(Math.floor(rng() * 10_000));
          break;
        case 'deadline':
          await advance(DEADLINE_MS);
          break;
        case 'cancel':
          if (ids.length > 0) {
            const id = rng() < 0.5 ? (ids[ids.length - 1] as string) : pick(ids); // recent ones race their own charge
            await app.reservation.cancel({ id });
            note = String(ids.indexOf(id));
          }
          break;
        case 'charge-fault':
          faults++;
          chargeFaults.push((note = pick(['transient', 'lost-answer', 'permanent'] as const)));
          break;
        case 'refund-fault':
          faults++;
          refundFaults.push('transient');
          break;
        case 'handler-fault': {
          faults++;
          const group = pick(['reservation', 'payment', mode === 'orchestration' ? 'saga' : 'saga-observer']);
          const kind = pick(['transient', 'transient', 'permanent'] as const);
          handlerFaults.set(group, [...(handlerFaults.get(group) ?? []), kind]);
          note = `${group} ${kind}`;
          break;
        }
        case 'outage':
          faults++;
          provider.setOutage(!provider.isInOutage());
          note = String(provider.isInOutage());
          break;
        case 'crash':
          faults++;
          transport.dropAll();
          await app.stop();
          provider.close();
          await boot();
          break;
        case 'poison': {
          faults++;
          const good = createEnvelope(ReservationCreated, ReservationCreated.schema.parse({
            reservationId: 'poison', customerId: 'c', resourceId: 'r', startsAt: '2030-01-01T00:00:00.000Z', endsAt: '2030-01-01T01:00:00.000Z',
            amount: 1, currency: 'EUR', paymentToken: 'tok_ok', paymentDeadline: '2030-01-01T00:00:00.000Z', channel: 'api',
          }), { key: 'poison', occurredAt: new Date(clock.now()).toISOString() });
          const bad = pick([{ ...good, version: 7 }, { ...good, payload: { reservationId: 42 } }, { ...good, payload: 'not an object' }]);
          poison.add(bad.id);
          await transport.inject([bad]);
          break;
        }
      }
      await flush();
      trace.push(`${action}${note ? `:${note}` : ''}`);
    }

    live = false;
    // Heal: faults stop, the provider comes back, time passes, an operator replays what was dead-lettered.
    chargeFaults.length = 0;
    refundFaults.length = 0;
    handlerFaults.clear();
    provider.setOutage(false);
    for (let round = 0; round < 40; round++) {
      while (transport.heldCount > 0) {
        await transport.deliver(0);
        await flush();
      }
      await advance(DEADLINE_MS + 10_000);
      const open = app.deadLetters.list({ status: 'open', limit: 500 }).items.filter((d) => !poison.has(d.messageId));
      for (const d of open) await app.deadLetters.replay(d.id);
      await flush();
      const pending = app.reservation.list({ status: 'PENDING', limit: 1 }).items.length;
      const sagasUnderway = ids.filter((id) => !['CONFIRMED', 'CANCELLED'].includes(app.saga?.store.get(id)?.state ?? '')).length;
      if (transport.heldCount === 0 && open.length === 0 && pending === 0 && sagasUnderway === 0) break;
    }

    violations.push(...findViolations(app, provider.ledger(), { allTerminal: true }));
    const dead = app.deadLetters.list({ limit: 500 }).items;
    for (const id of poison) {
      const dl = dead.find((d) => d.messageId === id);
      if (!dl) violations.push(`poison message ${id} was not dead-lettered`);
      else if (dl.attempts !== 1) violations.push(`poison message ${id} was tried ${dl.attempts} times instead of being dead-lettered at once`);
    }
    for (const key of permanentlyFailed) {
      const [group, id] = key.split('|');
      if (!dead.some((d) => d.group === group && d.messageId === id)) violations.push(`a permanent failure of ${key} left no dead letter`);
    }
    const statuses = ids.map((id) => app.reservation.get({ id })).map((r) => `${r.status}/${r.cancellationReason ?? ''}/${r.amount}`);
    const ledger = [...provider.ledger().values()].map((l) => `${l.captured}-${l.refunded}`).sort();
    return {
      seed,
      steps,
      actions: counts,
      faults,
      reservations: ids.length,
      violations,
      fingerprint: JSON.stringify({ trace, statuses, ledger }),
    };
  } finally {
    transport.dropAll();
    await app.stop();
    provider.close();
  }
}
