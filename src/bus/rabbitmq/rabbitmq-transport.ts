import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { BusDelivery } from '../delivery';
import { envelopeSchema, type Envelope } from '../envelope';
import { toError } from '../errors';
import type { Delivery, HandleFn, Settlement, Transport } from '../ports';
import { Topology } from './topology';

export interface RabbitOptions {
  url: string;
  /** Prefix of the exchange and queue names. */
  prefix: string;
  /** Unacknowledged messages a consumer may hold at once, per group. */
  prefetch: number;
  /** Delayed retry rounds of the retry policy (one delay queue each). */
  retryRounds: number;
}

const H = { round: 'x-round', tries: 'x-tries', firstFailedAt: 'x-first-failed-at' } as const;
const CHAIN_FAILURE_DELAY_MS = 1_000;
const QUIET_MS = 25;

interface Decoded {
  envelope: Envelope;
  error?: string;
}

/** Envelopes of one type published in one AMQP message at most (a relay batch holds up to 256 rows of several types). */
export const MAX_ENVELOPES_PER_MESSAGE = 100;
/** On a message that carries several envelopes (a JSON array): how many. */
export const BATCH_HEADER = 'x-envelopes';

const issues = (error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * Parses the raw bytes: one envelope (a JSON object), or several of one type (a JSON array, as
 * `publish` sends a batch). What cannot be decoded still becomes a Delivery, so the chain dead-letters it
 * with the reason: a whole message that is not JSON, or each element of a batch that is not an envelope.
 */
function decode(msg: ConsumeMessage): Decoded[] {
  const fallback = (error: string, id?: unknown): Decoded => ({
    envelope: {
      id: typeof id === 'string' && id !== '' ? id : String(msg.properties.messageId ?? `undecodable-${msg.fields.deliveryTag}-${Date.now()}`),
      type: msg.fields.routingKey || 'undecodable',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: String(msg.properties.correlationId ?? msg.properties.messageId ?? 'unknown'),
      causationId: null,
      key: 'undecodable',
      payload: msg.content.toString('utf8').slice(0, 10_000),
      headers: {},
    },
    error,
  });
  let json: unknown;
  try {
    json = JSON.parse(msg.content.toString('utf8'));
  } catch (e) {
    return [fallback(`invalid JSON: ${toError(e).message}`)];
  }
  const one = (j: unknown, at: string): Decoded => {
    const parsed = envelopeSchema.safeParse(j);
    if (parsed.success) return { envelope: parsed.data };
    const id = j !== null && typeof j === 'object' ? (j as { id?: unknown }).id : undefined;
    return fallback(`not a valid envelope${at}: ${issues(parsed.error)}`, id);
  };
  if (Array.isArray(json)) return json.length === 0 ? [fallback('an empty batch')] : json.map((j, i) => one(j, ` (element ${i} of a batch)`));
  return [one(json, '')];
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null);

/**
 * The EventBus transport on RabbitMQ (amqplib). Publishes are persistent and resolve on publisher
 * confirms; a message is acked only after its handler's transaction committed (or its retry was
 * confirmed into a delay queue, or it was dead-lettered). Connection loss: amqplib's recovery reconnects
 * with backoff and `setup` re-declares the topology and resumes consuming; unacked messages come back
 * and the inboxes absorb them, and the outbox keeps whatever was not confirmed.
 */
export class RabbitTransport implements Transport {
  readonly name = 'rabbitmq';
  readonly topology: Topology;
  private readonly groups = new Map<string, { types: readonly string[]; handle: HandleFn }>();
  /**
   * Deliveries being handled, counted rather than kept in a Set: a long-lived Set with an add and a delete
   * per message keeps rehashing, and its replaced tables hold on to promises that died young
   * (platform/sequence-table.ts says what that costs the collector). `whenNoneInFlight` waits for zero.
   */
  private inflight = 0;
  private noneInFlight: Array<() => void> = [];
  private conn: RecoveringChannelModel | null = null;
  private pub: ConfirmChannel | null = null;
  private firstConnection: Promise<void> | null = null;
  /** Set up and consuming; false from a lost connection until amqplib's recovery has set everything up again. */
  private up = false;
  private deliveries = 0;
  private closed = false;

  constructor(
    private readonly options: RabbitOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.topology = new Topology(options.prefix, options.retryRounds);
  }

  subscribe(group: string, types: readonly string[], handle: HandleFn): void {
    if (this.groups.has(group)) throw new Error(`consumer group "${group}" is already subscribed; one subscription per group`);
    if (this.conn) throw new Error('subscribe before start(): the topology is declared when the connection is set up');
    this.groups.set(group, { types, handle });
  }

  async start(): Promise<void> {
    if (this.conn) return;
    let ready: () => void = () => {};
    this.firstConnection = new Promise((r) => (ready = r));
    this.conn = await connect(this.options.url, {
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        initialMaxRetries: 3,
        maxRetries: Infinity,
        setup: async (model: ChannelModel) => {
          await this.setup(model);
          ready();
        },
      },
    });
    this.conn.on('disconnect', (err: Error) => {
      this.up = false;
      this.log.warn({ err: { message: err.message } }, 'lost the RabbitMQ connection; reconnecting');
    });
    this.conn.on('connect', () => this.log.info('connected to RabbitMQ'));
    this.conn.on('error', (err: Error) => this.log.warn({ err: { message: err.message } }, 'RabbitMQ connection error'));
    await this.firstConnection;
  }

  /** Connected, topology declared and consuming (readiness: false while the broker is away). */
  get connected(): boolean {
    return this.up && !this.closed;
  }

  /**
   * Persistent, and resolved on the broker's confirms. Envelopes of one type go together, up to
   * MAX_ENVELOPES_PER_MESSAGE in one AMQP message (a JSON array): the broker stores, routes, confirms and
   * delivers a message per batch instead of per envelope. On this 2-core machine the broker was the
   * limit (more CPU than the app), with each event copied to three or four queues. A lone envelope is
   * sent as before, a JSON object.
   */
  async publish(envelopes: readonly Envelope[]): Promise<void> {
    const ch = this.channel();
    const byType = new Map<string, Envelope[]>();
    for (const e of envelopes) {
      const list = byType.get(e.type);
      if (list) list.push(e);
      else byType.set(e.type, [e]);
    }
    const sends: Array<Promise<void>> = [];
    const send = (type: string, body: string, props: ReturnType<RabbitTransport['props']>) =>
      new Promise<void>((resolve, reject) => {
        ch.publish(this.topology.exchange, type, Buffer.from(body), props, (err: unknown) => (err ? reject(toError(err)) : resolve()));
      });
    for (const [type, list] of byType) {
      for (let i = 0; i < list.length; i += MAX_ENVELOPES_PER_MESSAGE) {
        const chunk = list.slice(i, i + MAX_ENVELOPES_PER_MESSAGE);
        const first = chunk[0] as Envelope;
        if (chunk.length === 1) sends.push(send(type, JSON.stringify(first), this.props(first)));
        else sends.push(send(type, JSON.stringify(chunk), { ...this.props(first), messageId: `batch-${first.id}`, correlationId: undefined, headers: { [BATCH_HEADER]: chunk.length } }));
      }
    }
    await Promise.all(sends);
  }

  async redeliver(group: string, envelope: Envelope): Promise<Settlement> {
    const sub = this.groups.get(group);
    if (sub) return this.track(this.run(group, sub.handle, envelope, 0, 0, null));
    // The group lives in another process: hand the message to its queue on the broker.
    await this.sendToQueue(this.topology.queue(group), envelope, {});
    return { kind: 'retry', delayMs: 0, error: new Error(`queued for consumer group "${group}" on the broker`) };
  }

  get busy(): boolean {
    return this.inflight > 0;
  }

  /** Nothing in flight here and the groups' queues empty for a short quiet period (delay queues excluded). */
  idle(): Promise<void> {
    return this.quiet((g) => [this.topology.queue(g)]);
  }

  /** Like idle, and every delayed retry has run too. */
  drained(): Promise<void> {
    return this.quiet((g) => [this.topology.queue(g), ...this.topology.retryQueues(g)]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.whenNoneInFlight();
    await this.conn?.close().catch(() => undefined);
  }

  /** Test clean-up: delete this transport's queues and exchange. */
  async destroyTopology(): Promise<void> {
    const model = await connect(this.options.url);
    const ch = await model.createChannel();
    await this.topology.destroy(ch, this.groups.keys());
    await model.close();
  }

  private async setup(model: ChannelModel): Promise<void> {
    // amqplib's recovery listens for this connection's errors only once setup has finished: a socket reset
    // while the topology is being declared (a network cut at reconnect) was an unhandled 'error' event that
    // killed the process (found by the chaos test). With a listener, setup fails and recovery tries again.
    model.on('error', (err: Error) => this.log.warn({ err: { message: err.message } }, 'RabbitMQ connection error while setting up; reconnecting'));
    const admin = await model.createChannel();
    await this.topology.declare(admin, new Map([...this.groups].map(([g, s]) => [g, s.types])));
    await admin.close();
    this.pub = await model.createConfirmChannel();
    this.pub.on('error', (err: Error) => this.log.warn({ err: { message: err.message } }, 'publish channel error'));
    for (const [group, { handle }] of this.groups) {
      const ch = await model.createChannel();
      ch.on('error', (err: Error) => this.log.warn({ err: { message: err.message }, group }, 'consumer channel error'));
      await ch.prefetch(this.options.prefetch);
      await ch.consume(this.topology.queue(group), (msg) => {
        if (msg) void this.track(this.onMessage(group, handle, ch, msg));
      });
    }
    this.up = true;
  }

  private async onMessage(group: string, handle: HandleFn, ch: Channel, msg: ConsumeMessage): Promise<void> {
    this.deliveries++;
    if (this.closed) return; // unacked: the broker redelivers it to whoever consumes next
    const decoded = decode(msg);
    const h = msg.properties.headers ?? {};
    // Only a lone envelope comes back from a delay queue with its round and tries; a batch is always a first delivery.
    const [round, tries, firstFailedAt] = decoded.length === 1 ? [num(h[H.round]) ?? 0, num(h[H.tries]) ?? 0, num(h[H.firstFailedAt])] : [0, 0, null];
    try {
      // A batch's envelopes are handled side by side and acked together, once every one has settled.
      const settled = await Promise.allSettled(decoded.map(({ envelope, error }) => this.run(group, handle, envelope, round, tries, firstFailedAt, error)));
      for (const r of settled) if (r.status === 'rejected') throw r.reason;
      ch.ack(msg);
    } catch (e) {
      // A retry could not be stored (broker gone): leave the message unacked so it comes back (the inbox
      // absorbs the envelopes of a batch that were handled already).
      this.log.warn({ err: toError(e), group, messageId: msg.properties.messageId }, 'could not settle a delivery; the broker will redeliver it');
    }
  }

  private async run(group: string, handle: HandleFn, envelope: Envelope, round: number, tries: number, firstFailedAt: number | null, decodeError?: string): Promise<Settlement> {
    const d: Delivery = new BusDelivery(envelope, group, round, tries, firstFailedAt, this.log, decodeError);
    let s: Settlement;
    try {
      s = await handle(d);
    } catch (thrown) {
      s = { kind: 'retry', delayMs: CHAIN_FAILURE_DELAY_MS, error: toError(thrown) };
    }
    if (s.kind === 'retry') {
      const next = round + 1;
      await this.sendToQueue(this.topology.retryQueue(group, next), envelope, {
        expiration: String(Math.max(1, Math.round(s.delayMs))),
        headers: { [H.round]: next, [H.tries]: d.tries, [H.firstFailedAt]: d.firstFailedAt ?? this.clock.now() },
      });
    }
    return s;
  }

  private sendToQueue(queue: string, e: Envelope, extra: { expiration?: string; headers?: Record<string, number> }): Promise<void> {
    const ch = this.channel();
    return new Promise((resolve, reject) => {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(e)), { ...this.props(e), ...extra }, (err: unknown) => (err ? reject(toError(err)) : resolve()));
    });
  }

  private props(e: Envelope): { persistent: true; messageId: string; correlationId: string | undefined; type: string; contentType: string; timestamp: number; headers?: Record<string, number> } {
    return { persistent: true, messageId: e.id, correlationId: e.correlationId, type: e.type, contentType: 'application/json', timestamp: Math.floor(Date.parse(e.occurredAt) / 1000) };
  }

  private channel(): ConfirmChannel {
    if (this.closed) throw new Error('transport is closed: nothing can be published after close()');
    if (!this.pub) throw new Error('not connected to RabbitMQ yet: call start() first');
    return this.pub;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight++;
    const done = () => {
      if (--this.inflight > 0) return;
      const waiting = this.noneInFlight;
      this.noneInFlight = [];
      for (const resolve of waiting) resolve();
    };
    p.then(done, done);
    return p;
  }

  private whenNoneInFlight(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.noneInFlight.push(resolve));
  }

  private async quiet(queuesOf: (group: string) => string[]): Promise<void> {
    const queues = [...this.groups.keys()].flatMap(queuesOf);
    for (;;) {
      await this.whenNoneInFlight();
      const seen = this.deliveries;
      const ch = this.pub;
      if (!ch || this.closed) return;
      const counts = await Promise.all(queues.map((q) => ch.checkQueue(q).then((r) => r.messageCount)));
      await sleep(QUIET_MS);
      if (counts.every((c) => c === 0) && this.inflight === 0 && seen === this.deliveries) return;
    }
  }
}
