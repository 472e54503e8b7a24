import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { createAppRouter } from './api/router';
import { startHttpServer } from './api/server';
import type { DeadLetterOperations } from './bus/dead-letters/operations';
import { createMemoryBus } from './bus/memory';
import { OutboxRelay } from './bus/outbox/relay';
import type { Transport } from './bus/ports';
import { createRabbitBus } from './bus/rabbitmq';
import type { MessageBus, RouterOptions } from './bus/router';
import { loadConfig, type Config } from './config';
import { PaymentModule, SimulatedProvider, tracedGateway, type PaymentGateway } from './modules/payment';
import { ReservationModule } from './modules/reservation';
import { systemClock, type Clock } from './platform/clock';
import { ModuleNotHereError } from './platform/errors';
import { createLogger, type Logger } from './platform/logger';
import { CLOCK, CONFIG, EVENT_BUS, LOGGER, PAYMENT_GATEWAY } from './platform/tokens';
// Observability (issue 16): these imports and the lines marked "observability" below move to compose.ts.
import { meteredPublisher } from './bus/outbox/metered-publisher';
import { tracedPublisher } from './bus/outbox/traced-publisher';
import type { Publisher } from './bus/outbox/relay';
import { setMessagingSystem } from './bus/message-tracing';
import { metrics as deliveryMetrics } from './bus/middleware/metrics';
import { tracing as deliveryTracing } from './bus/middleware/tracing';
import { brokerConnected, relaysStarted } from './bus/readiness-checks';
import { AppMetrics } from './platform/metrics';
import type { Observability } from './platform/observability';
import { sqliteOpen, type ReadinessCheck } from './platform/readiness';
import { startTracing, type TracingOptions } from './platform/tracing';
import { sagaMetricsFromEvents } from './saga/saga-metrics-from-events';

export const MODULES = ['reservation', 'payment'] as const;
export type ModuleName = (typeof MODULES)[number];

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
  /** Tracing to this exporter instead of the OTEL_* variables' choice (tests: an InMemorySpanExporter). */
  tracing?: Omit<TracingOptions, 'serviceName'>;
}

/** Everything one process runs, wired once. Tests build it the same way `npm start` does. */
export class App {
  private started = false;

  constructor(
    readonly container: DependencyContainer,
    readonly config: Config,
    private readonly modules: { reservation: ReservationModule | null; payment: PaymentModule | null },
    readonly bus: MessageBus,
    readonly deadLetters: DeadLetterOperations,
    readonly provider: SimulatedProvider | null,
    private readonly relays: OutboxRelay[],
    private readonly closeBus: () => Promise<void>,
    /** Metrics registry, readiness checks and tracing of this App (the HTTP server serves them). */
    readonly observability: Observability,
  ) {}

  get reservation(): ReservationModule {
    return this.need('reservation');
  }

  get payment(): PaymentModule {
    return this.need('payment');
  }

  runs(name: ModuleName): boolean {
    return this.modules[name] !== null;
  }

  /** Subscribes the modules, resumes delayed retries and undispatched outbox rows, arms the deadlines. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.modules.reservation?.subscribe();
    this.modules.payment?.subscribe();
    await this.bus.start();
    for (const r of this.relays) r.start();
    this.modules.reservation?.start();
  }

  /** Resolves when no relay, delivery or handler has work in progress (delayed retries wait for their time). */
  async settled(): Promise<void> {
    do {
      await Promise.all(this.relays.map((r) => r.idle()));
      await this.bus.idle();
    } while (this.relays.some((r) => r.busy) || this.bus.transport.busy);
  }

  async stop(): Promise<void> {
    this.modules.reservation?.stop();
    await Promise.all(this.relays.map((r) => r.stop()));
    await this.closeBus();
    this.modules.reservation?.close();
    this.modules.payment?.close();
    this.provider?.close();
  }

  private need<K extends ModuleName>(name: K): NonNullable<App['modules'][K]> {
    const m = this.modules[name];
    if (!m) throw new ModuleNotHereError(`this process runs only the ${MODULES.filter((n) => this.runs(n)).join(' and ')} module (split mode); call the ${name} process`);
    return m as NonNullable<App['modules'][K]>;
  }
}

/** The composition root: config → container → modules, bus and relays. */
export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const only = new Set<ModuleName>(overrides.modules ?? MODULES);
  if (only.size < MODULES.length && config.BUS === 'memory') {
    throw new Error('running one module per process needs a broker: set BUS=rabbitmq (the in-memory bus cannot cross processes)');
  }
  const c = rootContainer.createChildContainer();
  const clock = overrides.clock ?? systemClock;
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  // observability: tracing (off unless OTEL_* or a test asks), metrics (METRICS), their bus middleware
  const tracing = startTracing(config, { serviceName: only.size === MODULES.length ? 'consistency-lab' : `consistency-lab-${[...only].join('-')}`, ...overrides.tracing });
  const metrics = config.METRICS === 'on' ? new AppMetrics(clock) : null;
  setMessagingSystem(config.BUS);
  const observe = [...(metrics ? [deliveryMetrics(metrics)] : []), ...(tracing ? [deliveryTracing] : [])];
  const retry = { immediate: config.RETRY_IMMEDIATE, delayed: config.RETRY_DELAYED, baseDelayMs: config.RETRY_BASE_MS, maxDelayMs: config.RETRY_MAX_MS };
  const routerOptions = {
    retry,
    ...(overrides.random ? { random: overrides.random } : {}),
    ...(overrides.wrapTransport ? { wrap: overrides.wrapTransport } : {}),
    ...(overrides.decorateHandler ? { decorateHandler: overrides.decorateHandler } : {}),
    middleware: observe, // observability
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
  const gateway = overrides.gateway ?? provider;
  c.register(PAYMENT_GATEWAY, { useValue: tracing && gateway ? tracedGateway(gateway) : gateway }); // observability: provider call spans
  c.registerSingleton(ReservationModule);
  c.registerSingleton(PaymentModule);
  const reservation = only.has('reservation') ? c.resolve(ReservationModule) : null;
  const payment = only.has('payment') ? c.resolve(PaymentModule) : null;

  const relays: OutboxRelay[] = [];
  const named: Array<{ name: string; relay: OutboxRelay }> = [];
  const relayOptions = { pollMs: config.RELAY_POLL_MS };
  for (const [name, m, source] of [
    ['reservation', reservation, reservation?.store.events],
    ['payment', payment, payment?.store.outbox],
  ] as const) {
    if (!m || !source) continue;
    // observability: the relay publishes through metrics, spans and (reservation) saga start/end counting
    let publisher: Publisher = messaging.bus;
    if (metrics && name === 'reservation') publisher = sagaMetricsFromEvents(metrics.saga, config.SAGA_MODE)(publisher);
    if (tracing) publisher = tracedPublisher(publisher);
    if (metrics) publisher = meteredPublisher(metrics.publisher(name))(publisher);
    metrics?.watchOutbox(name, () => source.backlog());
    const relay = new OutboxRelay(source, publisher, clock, log.child({ relay: name }), relayOptions);
    m.committed.on(() => relay.wake());
    relays.push(relay);
    named.push({ name, relay });
  }
  // observability: dead-letter gauge and readiness checks
  metrics?.watchDeadLetters(() => messaging.deadLetters.countByGroup());
  const readiness: ReadinessCheck[] = [
    sqliteOpen('bus.db', messaging.database),
    ...(reservation ? [sqliteOpen('reservation.db', reservation.store.db)] : []),
    ...(payment ? [sqliteOpen('payment.db', payment.store.db)] : []),
    ...(config.BUS === 'rabbitmq' ? [brokerConnected(messaging.transport, new URL(config.RABBITMQ_URL).host)] : []),
    relaysStarted(named),
  ];
  const close = async () => {
    await messaging.close();
    await tracing?.shutdown(); // flushes the last spans
  };
  return new App(c, config, { reservation, payment }, messaging.bus, messaging.deadLetters, provider, relays, close, { metrics, readiness, tracing });
}

function parseModules(argv: string[]): ModuleName[] | undefined {
  const { values } = parseArgs({ args: argv, options: { module: { type: 'string', multiple: true } }, strict: true });
  if (!values.module) return undefined;
  for (const m of values.module) {
    if (!(MODULES as readonly string[]).includes(m)) throw new Error(`--module ${m} is not a module; use one of: ${MODULES.join(', ')}`);
  }
  return values.module as ModuleName[];
}

/** `npm start [-- --module reservation|payment]`: one process (or one module), SQLite under DATA_DIR, tRPC over HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const modules = parseModules(process.argv.slice(2));
  const log = createLogger(config.LOG_LEVEL);
  const generated = config.ADMIN_TOKEN === undefined;
  const adminToken = config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const app = buildApp(config, { logger: log, ...(modules ? { modules } : {}) });
  await app.start();
  const http = await startHttpServer(
    createAppRouter(app),
    { host: config.HOST, port: config.PORT, maxBodyBytes: config.MAX_BODY_BYTES, adminToken, observability: app.observability, metricsToken: config.METRICS_TOKEN },
    log,
  );
  const exposed = ['127.0.0.1', 'localhost', '::1'].includes(config.HOST) ? 'loopback only' : 'REACHABLE FROM THE NETWORK';
  const running = MODULES.filter((m) => app.runs(m)).join(' + ');
  process.stdout.write(
    [
      '',
      `consistency-lab (${running}) listening on ${http.url} (${exposed}; HOST=${config.HOST})`,
      `data in ${resolve(config.DATA_DIR)}, bus=${config.BUS}, saga=${config.SAGA_MODE}, payment deadline ${config.PAYMENT_DEADLINE_MS} ms`,
      generated ? `admin token (generated for this run; set ADMIN_TOKEN to fix it): ${adminToken}` : 'admin token: from ADMIN_TOKEN',
      '',
      'try it:',
      `  curl -s -X POST ${http.url}/reservation.create -H 'content-type: application/json' \\`,
      `    -d '{"customerId":"c1","resourceId":"room-1","startsAt":"2030-01-01T10:00:00Z","endsAt":"2030-01-01T11:00:00Z","amount":5000,"currency":"EUR","paymentToken":"tok_ok"}'`,
      `  curl -s --get ${http.url}/reservation.get --data-urlencode 'input={"id":"<id>"}'`,
      '  or the typed client: npm run example',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await http.close();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
