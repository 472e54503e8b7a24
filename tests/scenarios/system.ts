import { join } from 'node:path';
import type { Transport } from '../../src/bus/ports';
import { RabbitTransport } from '../../src/bus/rabbitmq/rabbitmq-transport';
import { RABBITMQ_URL, uniquePrefix } from '../../src/bus/testing/brokers';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import type { AppOverrides } from '../../src/compose';
import { SimulatedProvider, type PaymentGateway } from '../../src/modules/payment';
import type { CreateReservationInput } from '../../src/modules/reservation';
import { checkInvariants, expectOutboxesDrained } from './invariants';
import { backgroundCheckpointer } from '../../src/platform/checkpointer';

export const DEADLINE_MS = 120_000;
/** Retry budget for scenarios: 3 tries at once, then 3 delayed rounds of ≤ 1 s, 2 s, 4 s. */
export const SCENARIO_ENV = {
  LOG_LEVEL: 'silent',
  PAYMENT_DEADLINE_MS: String(DEADLINE_MS),
  RETRY_IMMEDIATE: '2',
  RETRY_DELAYED: '3',
  RETRY_BASE_MS: '1000',
  RETRY_MAX_MS: '4000',
  RELAY_POLL_MS: '5000',
};
/** Longer than every delayed retry of the scenario budget together. */
export const PAST_RETRIES_MS = 10_000;

export type BusKind = 'memory' | 'rabbitmq';
export type SagaMode = 'choreography' | 'orchestration';
export const SAGA_MODES: readonly SagaMode[] = ['choreography', 'orchestration'];

export interface SystemOptions {
  bus?: BusKind;
  mode?: SagaMode;
  env?: Record<string, string>;
  /** Wraps the simulated provider (e.g. to lose responses or hold a charge). */
  gateway?: (provider: SimulatedProvider) => PaymentGateway;
  transport?: (t: Transport) => Transport;
  /** Runs after the app is built and before it starts (extra subscriptions). */
  beforeStart?: (app: App) => void;
  /** Runs while the app is stopped during `restart()`, before it is reopened (edit or restore its files). */
  whileStopped?: (dir: string) => void | Promise<void>;
  /** The app's logger (default: the one LOG_LEVEL=silent makes). */
  logger?: AppOverrides['logger'];
  /** Tracing to a test exporter. */
  tracing?: AppOverrides['tracing'];
  /** Where the fake clock starts (default 2026-01-01); message ids carry the real time they were made. */
  clockStart?: number;
}

let slot = 0;
/** A valid create input on its own slot, so reservations only conflict when a test wants them to. */
export const reservationInput = (over: Partial<CreateReservationInput> = {}): CreateReservationInput => {
  const day = 10 + (slot++ % 1000);
  return {
    customerId: 'cust-1',
    resourceId: `room-${Math.floor(slot / 1000)}`,
    startsAt: new Date(Date.UTC(2030, 0, 1) + day * 3_600_000).toISOString(),
    endsAt: new Date(Date.UTC(2030, 0, 1) + day * 3_600_000 + 3_000_000).toISOString(),
    amount: 5_000,
    currency: 'EUR',
    paymentToken: 'tok_ok',
    ...over,
  };
};

/** The real modules, bus and SQLite files in a temporary folder, on a fake clock, restartable. */
export async function startSystem(o: SystemOptions = {}) {
  const dir = tempDir('saga-');
  const clock = new FakeClock(o.clockStart);
  let provider: SimulatedProvider;
  let app: App;
  let transport: Transport | null = null;
  // On RabbitMQ, delayed retries run on the broker's real time: keep them short there.
  const busEnv =
    o.bus === 'rabbitmq'
      ? { BUS: 'rabbitmq', RABBITMQ_URL, RABBITMQ_PREFIX: uniquePrefix('saga'), RETRY_BASE_MS: '20', RETRY_MAX_MS: '80' }
      : {};
  /** Everything in flight and every delayed retry done (memory: the fake clock drives retries instead). */
  const drained = () => (transport?.drained ? transport.drained() : Promise.resolve());

  const boot = async () => {
    provider = new SimulatedProvider(join(dir, 'provider.db'), clock);
    const config = loadConfig({ DATA_DIR: dir, ...SCENARIO_ENV, SAGA_MODE: o.mode ?? 'choreography', ...busEnv, ...o.env });
    app = buildApp(config, {
      clock,
      random: () => 0.5,
      gateway: o.gateway ? o.gateway(provider) : provider,
      providerLedger: (r) => provider.ledger(r),
      wrapTransport: (t: Transport) => {
        transport = t;
        return o.transport ? o.transport(t) : t;
      },
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.tracing ? { tracing: o.tracing } : {}),
    });
    o.beforeStart?.(app);
    await app.start();
  };
  await boot();

  const sys = {
    dir,
    clock,
    get app() {
      return app;
    },
    get provider() {
      return provider;
    },
    bus: o.bus ?? 'memory',
    mode: o.mode ?? 'choreography',
    saga: (id: string) => app.sagaQueries.get({ reservationId: id }),
    settle: () => app.settled(),
    async advance(ms: number) {
      await drained();
      await clock.advance(ms, () => app.settled());
      await drained();
      await app.settled();
    },
    /** Close everything and reopen it on the same files (a clean crash between two steps). */
    async restart(whileStopped?: (dir: string) => void | Promise<void>) {
      await app.stop();
      provider.close();
      // The checkpoint worker closes its own connections to the files too, so nothing writes them any more.
      await backgroundCheckpointer.sweep();
      await whileStopped?.(dir);
      await boot();
    },
    create: async (over: Partial<CreateReservationInput> = {}) => (await app.reservation.create(reservationInput(over))).reservation,
    reservation: (id: string) => app.reservation.get({ id }),
    payment: (id: string) => app.payment.store.get(id),
    ledgerOf: (id: string) => provider.ledger().get(id),
    check(opts: { allTerminal?: boolean; readModel?: boolean } = { allTerminal: true }) {
      checkInvariants(app, provider.ledger(), opts);
      expectOutboxesDrained(app);
    },
    async stop() {
      await app.stop();
      provider.close();
      if (transport instanceof RabbitTransport) await transport.destroyTopology().catch(() => undefined);
    },
  };
  return sys;
}
export type System = Awaited<ReturnType<typeof startSystem>>;
