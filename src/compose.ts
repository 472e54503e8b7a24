import { join } from 'node:path';
import { container as rootContainer } from 'tsyringe';
import { App, MODULES, type ModuleName, type Part } from './app';
import { createMemoryBus } from './bus/memory';
import type { Transport } from './bus/ports';
import { createRabbitBus } from './bus/rabbitmq';
import type { RouterOptions } from './bus/router';
import type { Config } from './config';
import { PaymentModule, SimulatedProvider, type PaymentGateway } from './modules/payment';
import { ReservationModule } from './modules/reservation';
import type { EventSource, SourceName } from './read-model/event-source';
import { READ_MODEL_GROUP } from './read-model/projector';
import { ReadModel } from './read-model/read-model';
import { systemClock, type Clock } from './platform/clock';
import { createLogger, type Logger } from './platform/logger';
import { CLOCK, CONFIG, EVENT_BUS, LOGGER, PAYMENT_GATEWAY } from './platform/tokens';
import { deadline } from './saga/definition';
import { SagaObserver } from './saga/observer';
import { SagaOrchestrator } from './saga/orchestrator';
import type { SagaRuntime } from './saga/saga-runtime';
import { wireSaga } from './saga/wiring';
import { subscribeTable } from './bus/handler-table';

export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Randomness for retry jitter (seeded in tests and the simulator). */
  random?: () => number;
  /** Another payment provider instead of the simulated one. */
  gateway?: PaymentGateway;
  /** Decorates the transport (tests: duplicate, hold or reorder deliveries). */
  wrapTransport?: (t: Transport) => Transport;
  /** Wraps every handler inside the bus chain (the fault simulator injects handler failures). */
  decorateHandler?: RouterOptions['decorateHandler'];
  /** Run only these modules in this process (split mode; needs a broker). Default: all. */
  modules?: readonly ModuleName[];
}

/** The composition root: config → container → modules, bus, the saga in its mode, relays. */
export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const only = new Set<ModuleName>(overrides.modules ?? MODULES);
  if (only.size < MODULES.length && config.BUS === 'memory') {
    throw new Error('running one module per process needs a broker: set BUS=rabbitmq (the in-memory bus cannot cross processes)');
  }
  const c = rootContainer.createChildContainer();
  const clock = overrides.clock ?? systemClock;
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const retry = { immediate: config.RETRY_IMMEDIATE, delayed: config.RETRY_DELAYED, baseDelayMs: config.RETRY_BASE_MS, maxDelayMs: config.RETRY_MAX_MS };
  let saga: SagaRuntime | null = null;
  const routerOptions: RouterOptions & { wrap?: (t: Transport) => Transport } = {
    retry,
    // A dead letter of a saga message is also logged on its saga instance (the read model's own are no saga step).
    onDeadLettered: (f) => void (f.group !== READ_MODEL_GROUP && saga?.recordFailure(f)),
    ...(overrides.random ? { random: overrides.random } : {}),
    ...(overrides.wrapTransport ? { wrap: overrides.wrapTransport } : {}),
    ...(overrides.decorateHandler ? { decorateHandler: overrides.decorateHandler } : {}),
  };
  const busFile = join(config.DATA_DIR, 'bus.db');
  const messaging =
    config.BUS === 'rabbitmq'
      ? createRabbitBus(busFile, { url: config.RABBITMQ_URL, prefix: config.RABBITMQ_PREFIX, prefetch: config.RABBITMQ_PREFETCH }, clock, log, routerOptions)
      : createMemoryBus(busFile, clock, log, routerOptions);
  const provider =
    overrides.gateway || !only.has('payment') ? null : new SimulatedProvider(join(config.DATA_DIR, 'provider.db'), clock, config.PROVIDER_LATENCY_MS);

  c.register(CONFIG, { useValue: config });
  c.register(CLOCK, { useValue: clock });
  c.register(LOGGER, { useValue: log });
  c.register(EVENT_BUS, { useValue: messaging.bus });
  c.register(PAYMENT_GATEWAY, { useValue: overrides.gateway ?? provider });
  c.registerSingleton(ReservationModule);
  c.registerSingleton(PaymentModule);
  const reservation = only.has('reservation') ? c.resolve(ReservationModule) : null;
  const payment = only.has('payment') ? c.resolve(PaymentModule) : null;

  // The saga runs beside the reservation module (which starts every saga): the orchestrator, or the observer.
  const mode = config.SAGA_MODE;
  if (reservation) {
    saga = mode === 'orchestration' ? new SagaOrchestrator(config.DATA_DIR, messaging.bus, clock, log, { pollMs: config.RELAY_POLL_MS }) : new SagaObserver(config.DATA_DIR, clock);
  }
  const parts: Part[] = [];
  if (reservation) {
    const r = reservation;
    parts.push({
      start() {
        r.start();
        // In choreography the reservation module owns the payment deadline; in orchestration saga.db does.
        if (deadline.owner[mode] === 'reservation') r.startDeadlines();
      },
      stop: () => r.stop(),
      idle: () => r.relay.idle(),
      get busy() {
        return r.relay.busy;
      },
    });
  }
  if (payment) {
    const p = payment;
    parts.push({ start: () => p.start(), stop: () => p.stop(), idle: () => p.relay.idle(), get busy() { return p.relay.busy; } });
  }
  if (saga) parts.push(saga);
  // The read model runs beside the reservation module too; in split mode it reads only that module's history.
  const source = (name: SourceName, m: ReservationModule | PaymentModule): EventSource => ({ name, read: (a, n) => m.readEvents(a, n), head: () => m.headPosition() });
  const readModel =
    reservation && config.READ_MODEL === 'on'
      ? new ReadModel({ dataDir: config.DATA_DIR, sources: [source('reservation', reservation), ...(payment ? [source('payment', payment)] : [])], clock, log, rebuildBatch: config.READ_MODEL_REBUILD_BATCH })
      : null;
  if (readModel) parts.push(readModel);
  const tables = [reservation?.subscriptions, payment?.subscriptions].filter((t) => t !== undefined);
  const subscribe = () => {
    wireSaga(messaging.bus, mode, tables, saga);
    if (readModel) subscribeTable(messaging.bus, readModel.subscriptions);
  };
  return new App(c, config, { reservation, payment }, saga, messaging.bus, messaging.deadLetters, provider, parts, subscribe, messaging.close, readModel);
}
