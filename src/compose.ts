import { ThreadWriter, type WriterFactory } from './platform/writer-thread/client';
import type { Inbox } from './bus/inbox/inbox';
import { InboxRetention, type RetainedInbox } from './bus/inbox/inbox-retention';
import type { Db } from './platform/sqlite';
import { join } from 'node:path';
import { container as rootContainer } from 'tsyringe';
import { App, MODULES, type ModuleName, type Part } from './app';
import { createMemoryBus } from './bus/memory';
import type { Transport } from './bus/ports';
import { createRabbitBus } from './bus/rabbitmq';
import type { MessageBus, RouterOptions } from './bus/router';
import type { Config } from './config';
import { PaymentModule, SimulatedProvider, type PaymentGateway } from './modules/payment';
import { ReservationModule } from './modules/reservation';
import type { EventSource, SourceName } from './read-model/event-source';
import { READ_MODEL_GROUP } from './read-model/projector';
import { ReadModel } from './read-model/read-model';
import { systemClock, type Clock } from './platform/clock';
import { lockDataDir } from './platform/data-dir-lock';
import { createLogger, type Logger } from './platform/logger';
import { CLOCK, CONFIG, EVENT_BUS, LOGGER, OUTBOX_PUBLISHER, PAYMENT_GATEWAY } from './platform/tokens';
import { composeObservability } from './compose-observability';
import { brokerConnected, relaysStarted } from './bus/readiness-checks';
import { sqliteOpen, type ReadinessCheck } from './platform/readiness';
import type { TracingOptions } from './platform/tracing';
import { deadline } from './saga/definition';
import { SagaObserver } from './saga/observer';
import { SagaOrchestrator } from './saga/orchestrator';
import type { SagaRuntime } from './saga/saga-runtime';
import { wireSaga } from './saga/wiring';
import { Auditor } from './audit/auditor';
import type { AuditedCharge, AuditedReservation } from './audit/find-divergences';
import { AuditStore } from './audit/infrastructure/audit-store';
import { subscribeTable } from './bus/handler-table';

/** The writer thread's module (its .ts source under tsx, as the app runs). */
const WRITER_THREAD_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './writer-thread-entry.ts' : './writer-thread-entry.js', import.meta.url);

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
  /** The provider's ledger for the auditor when `gateway` replaces the simulated provider (tests). */
  providerLedger?: (range: LedgerRange) => ReadonlyMap<string, AuditedCharge>;
  /** Tracing to this exporter instead of the OTEL_* variables' choice (tests: an InMemorySpanExporter). */
  tracing?: Omit<TracingOptions, 'serviceName'>;
}

/** The composition root: config → container → modules, bus, the saga in its mode, relays. */
export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const only = new Set<ModuleName>(overrides.modules ?? MODULES);
  if (only.size < MODULES.length && config.BUS === 'memory') {
    throw new Error('running one module per process needs a broker: set BUS=rabbitmq (the in-memory bus cannot cross processes)');
  }
  // With the in-memory bus a data folder belongs to one process (with a broker, processes may share one).
  const unlock = config.BUS === 'memory' ? lockDataDir(config.DATA_DIR) : () => {};
  const c = rootContainer.createChildContainer();
  const clock = overrides.clock ?? systemClock;
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const observe = composeObservability(config, only.size === MODULES.length ? 'consistency-lab' : `consistency-lab-${[...only].join('-')}`, clock, overrides.tracing);
  const retry = { immediate: config.RETRY_IMMEDIATE, delayed: config.RETRY_DELAYED, baseDelayMs: config.RETRY_BASE_MS, maxDelayMs: config.RETRY_MAX_MS };
  let saga: SagaRuntime | null = null;
  const routerOptions: RouterOptions & { wrap?: (t: Transport) => Transport } = {
    retry,
    // A dead letter of a saga message is also logged on its saga instance (the read model's own are no saga step).
    onDeadLettered: (f) => void (f.group !== READ_MODEL_GROUP && saga?.recordFailure(f)),
    ...(overrides.random ? { random: overrides.random } : {}),
    ...(overrides.wrapTransport ? { wrap: overrides.wrapTransport } : {}),
    ...(overrides.decorateHandler ? { decorateHandler: overrides.decorateHandler } : {}),
    middleware: observe.middleware,
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
  c.register(OUTBOX_PUBLISHER, { useValue: (name: string) => observe.publisherFor(name, messaging.bus) });
  c.register(PAYMENT_GATEWAY, { useValue: observe.gateway(overrides.gateway ?? provider) });
  c.registerSingleton(ReservationModule);
  c.registerSingleton(PaymentModule);
  const reservation = only.has('reservation') ? c.resolve(ReservationModule) : null;
  const payment = only.has('payment') ? c.resolve(PaymentModule) : null;

  // The saga runs beside the reservation module (which starts every saga): the orchestrator, or the observer.
  const mode = config.SAGA_MODE;
  // Groups that only record write on the writer thread (WRITER_THREAD); its module lists every kind it can open.
  const writers: WriterFactory | null = config.WRITER_THREAD === 'on' ? (kind, file) => new ThreadWriter(WRITER_THREAD_ENTRY, kind, file) : null;
  if (reservation) {
    saga = mode === 'orchestration' ? new SagaOrchestrator(config.DATA_DIR, observe.publisherFor('saga', messaging.bus), clock, log, { pollMs: config.RELAY_POLL_MS }) : new SagaObserver(config.DATA_DIR, clock, writers);
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
  parts.push(messaging.groupReplays);
  // The read model runs beside the reservation module too; in split mode it reads only that module's history.
  const source = (name: SourceName, m: ReservationModule | PaymentModule): EventSource => ({ name, read: (a, n) => m.readEvents(a, n), head: () => m.headPosition() });
  const readModel =
    reservation && config.READ_MODEL === 'on'
      ? new ReadModel({ dataDir: config.DATA_DIR, sources: [source('reservation', reservation), ...(payment ? [source('payment', payment)] : [])], clock, log, rebuildBatch: config.READ_MODEL_REBUILD_BATCH, writers })
      : null;
  if (readModel) parts.push(readModel);
  const audit = reservation ? buildAuditor(config, reservation, payment, saga, messaging.bus, overrides.providerLedger ?? (provider ? (r) => provider.ledger(r) : null), readModel, clock, log) : null;
  if (audit) parts.push({ start: () => audit.start(config.AUDIT_INTERVAL_MS), stop: async () => audit.stop(), idle: async () => {}, busy: false });
  const retained = (file: string, store: { inbox: Inbox; db: Db }): RetainedInbox => ({ file, inbox: store.inbox, transaction: (fn) => store.db.transaction(fn).immediate() });
  const retention = new InboxRetention(
    [
      ...(reservation ? [retained('reservation.db', reservation.store)] : []),
      ...(payment ? [retained('payment.db', payment.store)] : []),
      ...(saga ? [retained('saga.db', saga.store)] : []),
      ...(readModel ? [retained('read-model.db', readModel.store)] : []),
    ],
    config.INBOX_RETENTION_MS,
    clock,
    log.child({ component: 'retention' }),
  );
  parts.push(retention);
  const tables = [reservation?.subscriptions, payment?.subscriptions].filter((t) => t !== undefined);
  const subscribe = () => {
    wireSaga(messaging.bus, mode, tables, saga);
    if (readModel) subscribeTable(messaging.bus, readModel.subscriptions);
  };
  // Gauges read at scrape time, and what /readyz checks.
  const { metrics, tracing } = observe;
  if (reservation) metrics?.watchOutbox('reservation', () => reservation.store.events.backlog());
  if (payment) metrics?.watchOutbox('payment', () => payment.store.outbox.backlog());
  if (saga instanceof SagaOrchestrator) metrics?.watchOutbox('saga', () => saga.store.outbox.backlog());
  metrics?.watchDeadLetters(() => messaging.deadLetters.countByGroup());
  if (readModel) metrics?.watchProjection('overview', () => {
    const { events, ms } = readModel.freshness().lag;
    return { events, seconds: ms / 1000 };
  });
  const relays = [
    ...(reservation ? [{ name: 'reservation', relay: reservation.relay }] : []),
    ...(payment ? [{ name: 'payment', relay: payment.relay }] : []),
    ...(saga instanceof SagaOrchestrator ? [{ name: 'saga', relay: saga.relay }] : []),
  ];
  const readiness: ReadinessCheck[] = [
    sqliteOpen('bus.db', messaging.database),
    ...(reservation ? [sqliteOpen('reservation.db', reservation.store.db)] : []),
    ...(payment ? [sqliteOpen('payment.db', payment.store.db)] : []),
    ...(saga ? [sqliteOpen('saga.db', saga.store.db)] : []),
    ...(readModel ? [sqliteOpen('read-model.db', readModel.store.db)] : []),
    ...(config.BUS === 'rabbitmq' ? [brokerConnected(messaging.transport, new URL(config.RABBITMQ_URL).host)] : []),
    relaysStarted(relays),
  ];
  const close = async () => {
    await messaging.close();
    await tracing?.shutdown(); // flushes the last spans
    unlock();
  };
  const observability = { metrics, readiness, tracing };
  return new App(c, config, { reservation, payment }, saga, audit, messaging.bus, messaging.deadLetters, provider, parts, subscribe, close, messaging.groupReplays, observability, readModel);
}

/** How long a saga may take to settle: every delayed retry round at its longest, plus a relay's safety poll. */
function retryBudgetMs(config: Config): number {
  let budget = config.RELAY_POLL_MS;
  for (let round = 0; round < config.RETRY_DELAYED; round++) budget += Math.min(config.RETRY_MAX_MS, config.RETRY_BASE_MS * 2 ** round);
  return budget;
}

/** Charge keys (reservation ids) in (after, upTo]; upTo null: no upper bound. */
export interface LedgerRange {
  after: string;
  upTo: string | null;
}

/** The consistency auditor, reading every module here through its facade (and the provider's ledger when there is one). */
function buildAuditor(
  config: Config,
  reservation: ReservationModule,
  payment: PaymentModule | null,
  saga: SagaRuntime | null,
  bus: MessageBus,
  ledger: ((range: LedgerRange) => ReadonlyMap<string, AuditedCharge>) | null,
  readModel: ReadModel | null,
  clock: Clock,
  log: Logger,
): Auditor {
  const budget = retryBudgetMs(config);
  return new Auditor(
    {
      page: (now, after, limit) => {
        const reservations = reservation.auditRecords(after, limit);
        const last = reservations.length === limit ? (reservations[reservations.length - 1] as AuditedReservation).id : null;
        return {
          now,
          last,
          reservations,
          payments: payment ? new Map(payment.auditRecords(after, last).map((p) => [p.reservationId, p])) : null,
          ledger: ledger ? ledger({ after, upTo: last }) : null,
          sagas: saga ? saga.store.states(after, last) : null,
          readModel: readModel ? readModel.statuses(after, last) : null,
        };
      },
      heldSlots: (after, limit) => reservation.heldSlots(after && [after.resourceId, after.startsAt, after.id], limit),
      paymentIdOf: (id) => payment?.store.get(id)?.paymentId ?? null,
      messagesOf: (id) => [...reservation.messagesOf(id), ...(payment?.messagesOf(id) ?? []), ...(saga?.store.outbox.historyOf(id).map((h) => h.envelope) ?? [])],
      groupsFor: (type, version) => bus.groupsFor(type, version),
      redeliver: (group, e) => bus.redeliver(group, e),
      publish: (e) => bus.publish(e),
    },
    AuditStore.open(join(config.DATA_DIR, 'audit.db')),
    { windowMs: config.PAYMENT_DEADLINE_MS + budget, retryBudgetMs: budget },
    clock,
    log.child({ component: 'audit' }),
    undefined,
    config.AUDIT_PAGE_SIZE,
  );
}
