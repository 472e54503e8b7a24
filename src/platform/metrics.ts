import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CellHistogram } from './cell-histogram';
import type { Clock } from './clock';

/** The two calls the hot path makes: prom-client's label children, pre-created so no label set is looked up per message. */
export interface Count {
  inc(n?: number): void;
}
export interface Observe {
  observe(value: number): void;
}

/** What one consumer group records for one message type. */
export interface DeliveryMetrics {
  readonly handled: Count;
  readonly retriedImmediately: Count;
  readonly retriedLater: Count;
  readonly deadLettered: Count;
  readonly replayed: Count;
  /** Seconds from the delivery entering the chain to its settlement, immediate retries included. */
  readonly duration: Observe;
}

/** What one module's outbox relay records. */
export interface PublishMetrics {
  published(type: string): Count;
  /** Seconds for one batch publish (until the transport took responsibility: broker confirms on RabbitMQ). */
  readonly latency: Observe;
}

/**
 * Saga starts and ends. `mode` is SAGA_MODE; `outcome` is a bounded word: `confirmed`, or the
 * cancellation reason in lower case (`payment_declined`, `payment_timeout`, `customer_cancelled`).
 * `seconds` is create → terminal, when known.
 */
export interface SagaMetrics {
  sagaStarted(mode: string): void;
  sagaEnded(mode: string, outcome: string, seconds: number | null): void;
}

/** An outbox's backlog, read when scraped: rows still owed to the bus and when the oldest one occurred. */
export interface OutboxBacklog {
  messages: number;
  oldestOccurredAt: string | null;
}

export interface DeadLetterCount {
  group: string;
  status: string;
  count: number;
}

/** How far a projection (the read model) trails the events it is fed: events not yet applied, and the age of the oldest. */
export interface ProjectionLag {
  events: number;
  seconds: number;
}

/** A counter's value for one label set, added to on the hot path as a plain number. */
class CountCell implements Count {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}
  inc(n = 1): void {
    this.value += n;
  }
}

/**
 * A prom-client counter whose label sets are cells: prom-client hashes the label set on every `inc`
 * (~180 ns, a string built per call); a cell adds to a number, and the counter reads the cells when scraped.
 */
function cellCounter(name: string, help: string, labelNames: string[], registers: Registry[]) {
  const cells = new Map<string, CountCell>();
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const c of cells.values()) this.inc(c.labels, c.value);
    },
  });
  return (...values: string[]): Count => {
    const key = values.join('\u0000');
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = new CountCell(Object.fromEntries(labelNames.map((l, i) => [l, values[i] as string])))));
    return cell;
  };
}

const FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SAGA = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

let processWide: Registry | null = null;
/**
 * Node's default process metrics, once per process: prom-client's collector starts a GC observer and an
 * event-loop-delay monitor that can never be stopped, so one set per App would pile up in a process that
 * builds many (tests, the bench). Every App's scrape includes them.
 */
function processRegistry(): Registry {
  if (!processWide) {
    processWide = new Registry();
    collectDefaultMetrics({ register: processWide });
  }
  return processWide;
}

/**
 * One App's metrics: its own registry (apps built side by side in one process never collide), the
 * metric definitions, and small recording interfaces for the bus, the relays, the saga and HTTP. Gauges
 * of stored state (outbox backlog, dead letters, projection lag) are read only when scraped.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly byDelivery;
  private readonly sagaStarts;
  private readonly sagaEnds;
  private readonly sagaDuration;
  private readonly httpRequests;
  private readonly httpDuration;
  private readonly http = new Map<string, { count: Count; duration: Observe }>();
  private readonly published;
  private readonly publishLatency;
  private readonly outboxes: Array<{ module: string; backlog: () => OutboxBacklog }> = [];
  private readonly projections: Array<{ name: string; lag: () => ProjectionLag }> = [];
  private deadLetterCounts: (() => DeadLetterCount[]) | null = null;

  constructor(private readonly clock: Clock) {
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[]) => cellCounter(name, help, labelNames, registers);
    const byGroup = ['group', 'type'];
    this.byDelivery = {
      handled: counter('bus_messages_handled_total', 'Deliveries a consumer group handled (acknowledged), by message type.', byGroup),
      retried: counter('bus_messages_retried_total', 'Retries: immediate (tried again at once) or delayed (redelivery scheduled with backoff).', [...byGroup, 'kind']),
      deadLettered: counter('bus_messages_dead_lettered_total', 'Messages a consumer group dead-lettered (retries used up, or refused for good).', byGroup),
      replayed: counter('bus_messages_replayed_total', 'Dead letters replayed to a consumer group.', byGroup),
      duration: new CellHistogram('bus_handler_duration_seconds', 'Time from a delivery entering the handler chain to its settlement, immediate retries included.', byGroup, FAST, registers),
    };
    this.published = counter('bus_messages_published_total', "Messages a module's outbox relay published (the transport took responsibility).", ['module', 'type']);
    this.publishLatency = new CellHistogram('outbox_relay_publish_duration_seconds', 'Time for one batch publish of an outbox relay.', ['module'], FAST, registers);
    this.sagaStarts = counter('saga_started_total', 'Sagas started.', ['mode']);
    this.sagaEnds = counter('saga_ended_total', 'Sagas ended, by outcome (confirmed, or the cancellation reason).', ['mode', 'outcome']);
    this.sagaDuration = new CellHistogram('saga_duration_seconds', 'Time from a reservation being created to its terminal state.', ['mode', 'outcome'], SAGA, registers);
    this.httpRequests = counter('http_requests_total', 'tRPC requests, by procedure and HTTP status code.', ['procedure', 'code']);
    this.httpDuration = new CellHistogram('http_request_duration_seconds', 'tRPC request duration, by procedure and HTTP status code.', ['procedure', 'code'], FAST, registers);
    this.defineGauges();
  }

  delivery(group: string, type: string): DeliveryMetrics {
    const d = this.byDelivery;
    return {
      handled: d.handled(group, type),
      retriedImmediately: d.retried(group, type, 'immediate'),
      retriedLater: d.retried(group, type, 'delayed'),
      deadLettered: d.deadLettered(group, type),
      replayed: d.replayed(group, type),
      duration: d.duration.labels(group, type),
    };
  }

  publisher(module: string): PublishMetrics {
    const byType = new Map<string, Count>();
    return {
      published: (type) => {
        let count = byType.get(type);
        if (!count) byType.set(type, (count = this.published(module, type)));
        return count;
      },
      latency: this.publishLatency.labels(module),
    };
  }

  private readonly sagaByMode = new Map<string, { started: Count; ended: Map<string, { ended: Count; duration: Observe }> }>();
  private sagaMode(mode: string) {
    let m = this.sagaByMode.get(mode);
    if (!m) this.sagaByMode.set(mode, (m = { started: this.sagaStarts(mode), ended: new Map() }));
    return m;
  }
  readonly saga: SagaMetrics = {
    sagaStarted: (mode) => this.sagaMode(mode).started.inc(),
    sagaEnded: (mode, outcome, seconds) => {
      const byOutcome = this.sagaMode(mode).ended;
      let m = byOutcome.get(outcome);
      if (!m) byOutcome.set(outcome, (m = { ended: this.sagaEnds(mode, outcome), duration: this.sagaDuration.labels(mode, outcome) }));
      m.ended.inc();
      if (seconds !== null) m.duration.observe(seconds);
    },
  };

  /** Both labels must come from bounded sets: the router's procedure names, `batch`, `unknown`; a status code or `aborted`. */
  httpRequest(procedure: string, code: string, seconds: number): void {
    const key = `${code} ${procedure}`;
    let m = this.http.get(key);
    if (!m) this.http.set(key, (m = { count: this.httpRequests(procedure, code), duration: this.httpDuration.labels(procedure, code) }));
    m.count.inc();
    m.duration.observe(seconds);
  }

  watchOutbox(module: string, backlog: () => OutboxBacklog): void {
    this.outboxes.push({ module, backlog });
  }

  watchDeadLetters(counts: () => DeadLetterCount[]): void {
    this.deadLetterCounts = counts;
  }

  /** For the read model, once it exists: its lag is read at scrape time. */
  watchProjection(name: string, lag: () => ProjectionLag): void {
    this.projections.push({ name, lag });
  }

  readonly contentType = this.registry.contentType;

  /** The Prometheus text exposition: this App's metrics, then the process's. */
  async scrape(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processRegistry().metrics()}`;
  }

  private defineGauges(): void {
    const registers = [this.registry];
    const outboxes = this.outboxes;
    const projections = this.projections;
    const now = () => this.clock.now();
    const readBacklogs = () => outboxes.map((o) => ({ module: o.module, ...o.backlog() }));
    new Gauge({
      name: 'outbox_pending_messages',
      help: "Outbox rows not yet published, per module (the reservation module's event stream is its outbox).",
      labelNames: ['module'],
      registers,
      collect() {
        for (const b of readBacklogs()) this.set({ module: b.module }, b.messages);
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest unpublished outbox row, per module (0 when none).',
      labelNames: ['module'],
      registers,
      collect() {
        for (const b of readBacklogs()) this.set({ module: b.module }, b.oldestOccurredAt ? Math.max(0, (now() - Date.parse(b.oldestOccurredAt)) / 1000) : 0);
      },
    });
    const deadLetters = () => this.deadLetterCounts?.() ?? [];
    new Gauge({
      name: 'bus_dead_letters',
      help: 'Dead letters kept in the store, by consumer group and status (open, replayed, discarded).',
      labelNames: ['group', 'status'],
      registers,
      collect() {
        this.reset(); // a group whose dead letters were all discarded must not keep its last value
        for (const c of deadLetters()) this.set({ group: c.group, status: c.status }, c.count);
      },
    });
    new Gauge({
      name: 'projection_lag_events',
      help: 'Events a projection (the read model) has not applied yet.',
      labelNames: ['projection'],
      registers,
      collect() {
        for (const p of projections) this.set({ projection: p.name }, p.lag().events);
      },
    });
    new Gauge({
      name: 'projection_lag_seconds',
      help: 'Age of the oldest event a projection has not applied yet.',
      labelNames: ['projection'],
      registers,
      collect() {
        for (const p of projections) this.set({ projection: p.name }, p.lag().seconds);
      },
    });
  }
}
