import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { createAppRouter } from './api/router';
import { startHttpServer, type HttpServer } from './api/server';
import type { DeadLetterOperations } from './bus/dead-letters/operations';
import { createMemoryBus } from './bus/memory';
import { OutboxRelay } from './bus/outbox/relay';
import type { Transport } from './bus/ports';
import type { MessageBus } from './bus/router';
import { loadConfig, type Config } from './config';
import { PaymentModule, SimulatedProvider, type PaymentGateway } from './modules/payment';
import { ReservationModule } from './modules/reservation';
import { systemClock, type Clock } from './platform/clock';
import { createLogger, type Logger } from './platform/logger';
import { CLOCK, CONFIG, EVENT_BUS, LOGGER, PAYMENT_GATEWAY } from './platform/tokens';

export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Randomness for retry jitter (seeded in tests and the simulator). */
  random?: () => number;
  /** Another payment provider instead of the simulated one. */
  gateway?: PaymentGateway;
  /** Decorates the transport (tests: duplicate, hold or reorder deliveries). */
  wrapTransport?: (t: Transport) => Transport;
}

/** Everything one process runs, wired once. Tests build it the same way `npm start` does. */
export class App {
  private started = false;

  constructor(
    readonly container: DependencyContainer,
    readonly config: Config,
    readonly reservation: ReservationModule,
    readonly payment: PaymentModule,
    readonly bus: MessageBus,
    readonly deadLetters: DeadLetterOperations,
    readonly provider: SimulatedProvider | null,
    private readonly relays: OutboxRelay[],
    private readonly closeBus: () => Promise<void>,
  ) {}

  /** Subscribes the modules, resumes delayed retries and undispatched outbox rows, arms the deadlines. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.reservation.subscribe();
    this.payment.subscribe();
    await this.bus.start();
    for (const r of this.relays) r.start();
    this.reservation.start();
  }

  /** Resolves when no relay, delivery or handler has work in progress (delayed retries wait for their time). */
  async settled(): Promise<void> {
    do {
      await Promise.all(this.relays.map((r) => r.idle()));
      await this.bus.idle();
    } while (this.relays.some((r) => r.busy) || this.bus.transport.busy);
  }

  async stop(): Promise<void> {
    this.reservation.stop();
    await Promise.all(this.relays.map((r) => r.stop()));
    await this.closeBus();
    this.reservation.close();
    this.payment.close();
    this.provider?.close();
  }
}

/** The composition root: config → container → modules, bus and relays. */
export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const c = rootContainer.createChildContainer();
  const clock = overrides.clock ?? systemClock;
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const retry = { immediate: config.RETRY_IMMEDIATE, delayed: config.RETRY_DELAYED, baseDelayMs: config.RETRY_BASE_MS, maxDelayMs: config.RETRY_MAX_MS };
  const memory = createMemoryBus(join(config.DATA_DIR, 'bus.db'), clock, log, {
    retry,
    ...(overrides.random ? { random: overrides.random } : {}),
    ...(overrides.wrapTransport ? { wrap: overrides.wrapTransport } : {}),
  });
  const provider = overrides.gateway ? null : new SimulatedProvider(join(config.DATA_DIR, 'provider.db'), clock, config.PROVIDER_LATENCY_MS);

  c.register(CONFIG, { useValue: config });
  c.register(CLOCK, { useValue: clock });
  c.register(LOGGER, { useValue: log });
  c.register(EVENT_BUS, { useValue: memory.bus });
  c.register(PAYMENT_GATEWAY, { useValue: overrides.gateway ?? provider });
  c.registerSingleton(ReservationModule);
  c.registerSingleton(PaymentModule);
  const reservation = c.resolve(ReservationModule);
  const payment = c.resolve(PaymentModule);

  const relayOptions = { pollMs: config.RELAY_POLL_MS };
  const reservationRelay = new OutboxRelay(reservation.store.events, memory.bus, clock, log.child({ relay: 'reservation' }), relayOptions);
  const paymentRelay = new OutboxRelay(payment.store.outbox, memory.bus, clock, log.child({ relay: 'payment' }), relayOptions);
  reservation.committed.on(() => reservationRelay.wake());
  payment.committed.on(() => paymentRelay.wake());

  return new App(c, config, reservation, payment, memory.bus, memory.deadLetters, provider, [reservationRelay, paymentRelay], memory.close);
}

/** `npm start`: one process, in-memory bus, SQLite files under DATA_DIR, tRPC over HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const generated = config.ADMIN_TOKEN === undefined;
  const adminToken = config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const app = buildApp(config, { logger: log });
  await app.start();
  const http: HttpServer = await startHttpServer(
    createAppRouter({ reservation: app.reservation, payment: app.payment, deadLetters: app.deadLetters }),
    { host: config.HOST, port: config.PORT, maxBodyBytes: config.MAX_BODY_BYTES, adminToken },
    log,
  );
  const exposed = config.HOST === '127.0.0.1' || config.HOST === 'localhost' || config.HOST === '::1' ? 'loopback only' : 'REACHABLE FROM THE NETWORK';
  process.stdout.write(
    [
      '',
      `consistency-lab listening on ${http.url} (${exposed}; HOST=${config.HOST})`,
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
