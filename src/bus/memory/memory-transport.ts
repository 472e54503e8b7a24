import { EventEmitter } from 'eventemitter3';
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { BusDelivery } from '../delivery';
import type { Envelope } from '../envelope';
import { toError } from '../errors';
import type { BatchFn, HandleFn, Settlement, Transport } from '../ports';
import type { RetryStore } from './retry-store';

type Listener = (envelope: Envelope, settled: Array<Promise<unknown>>) => void;

/** A group with a batch path, and the envelopes one publish has brought it so far. */
interface BatchGroup {
  group: string;
  batch: BatchFn;
  queued: Envelope[];
}

const ACK: Settlement = { kind: 'ack' };

/** If the handler chain itself throws (e.g. the dead-letter store is unavailable), keep the message and try later. */
const CHAIN_FAILURE_DELAY_MS = 1_000;

/**
 * The in-process transport: eventemitter3 routes by message type to the subscribed groups; this class
 * awaits each group's handler itself (eventemitter3 ignores return values) and settles on the result.
 * `publish` resolves when every group has settled: handled, dead-lettered, or its delayed retry stored in
 * bus.db. Delayed retries survive a restart and never block other messages.
 */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  private readonly emitter = new EventEmitter<Record<string, Listener>>();
  private readonly handles = new Map<string, HandleFn>();
  /** Deliveries started and not yet settled; `idle()` waits for it to reach zero. */
  private inflight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Map<string, TimerHandle>();
  private closed = false;
  /** Batch groups that the publish being emitted has queued envelopes for (emptied before `publish` yields). */
  private batching: BatchGroup[] = [];

  constructor(
    private readonly retries: RetryStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async publish(envelopes: readonly Envelope[]): Promise<void> {
    if (this.closed) throw new Error('transport is closed: nothing can be published after close()');
    // One hop for the whole batch, not one per delivery: no handler runs inside the publisher's call
    // stack. The batch counts as in flight across the hop, so `idle()` cannot slip in between.
    const settled: Array<Promise<unknown>> = [];
    this.inflight++;
    try {
      await null;
      if (this.closed) throw new Error('transport is closed: nothing can be published after close()');
      try {
        for (const e of envelopes) this.emitter.emit(e.type, e, settled);
        for (const b of this.batching) settled.push(this.deliverBatch(b.group, b.batch, b.queued.splice(0)));
      } finally {
        // Never left for the next publish (were emit to throw, the publisher publishes the lot again).
        for (const b of this.batching) b.queued.length = 0;
        this.batching = [];
      }
    } finally {
      this.settleOne();
    }
    await Promise.all(settled);
  }

  /**
   * With `batch`, a publish's envelopes for the group go to it in one call, and only those it does not
   * handle get a delivery of their own (router.ts: recorders whose writes cross to the writer thread save a
   * delivery chain per message).
   */
  subscribe(group: string, types: readonly string[], handle: HandleFn, batch?: BatchFn): void {
    if (this.handles.has(group)) throw new Error(`consumer group "${group}" is already subscribed; one subscription per group`);
    this.handles.set(group, handle);
    let listener: Listener;
    if (batch) {
      const b: BatchGroup = { group, batch, queued: [] };
      listener = (envelope) => {
        if (b.queued.push(envelope) === 1) this.batching.push(b);
      };
    } else {
      listener = (envelope, settled) => settled.push(this.deliver(group, envelope, 0, 0, null));
    }
    for (const type of types) this.emitter.on(type, listener);
  }

  redeliver(group: string, envelope: Envelope): Promise<Settlement> {
    if (!this.handles.has(group)) return Promise.reject(new Error(`no consumer group "${group}" is subscribed in this process`));
    this.cancelTimer(group, envelope.id);
    // Off the caller's stack (an operator's replay), like every delivery.
    return Promise.resolve().then(() => this.deliver(group, envelope, 0, 0, null));
  }

  async start(): Promise<void> {
    const now = this.clock.now();
    for (const r of this.retries.load()) {
      if (this.handles.has(r.group)) this.arm(r.group, r.envelope, r.round, r.tries, r.firstFailedAt, r.dueAt - now);
    }
  }

  get busy(): boolean {
    return this.inflight > 0;
  }

  async idle(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await this.idle();
  }

  /**
   * Runs the group's chain and settles on its result. Not an async function: a delivery is one `then` on
   * the chain's promise, with the delivery object as the only state it carries. A suspended async function
   * per delivery kept its whole frame alive until the handler settled, and with thousands in flight those
   * frames were a large share of what every scavenge copied.
   */
  private deliver(group: string, envelope: Envelope, round: number, tries: number, firstFailedAt: number | null): Promise<Settlement> {
    // Counted, not tracked in a set with a `finally` per delivery: that was two promises and a closure each.
    this.inflight++;
    const handle = this.handles.get(group);
    if (this.closed || !handle) {
      this.settleOne();
      return Promise.resolve({ kind: 'retry', delayMs: 0, error: new Error('transport closed') });
    }
    const d = new BusDelivery(envelope, group, round, tries, firstFailedAt, this.log);
    let handled: Promise<Settlement>;
    try {
      handled = handle(d);
    } catch (thrown) {
      handled = Promise.reject(thrown);
    }
    return handled.then(
      (s) => this.settle(d, s),
      (thrown: unknown) => this.settle(d, this.chainFailed(d, thrown)),
    );
  }

  /**
   * One publish's envelopes for a batch group. What the batch does not take goes down the group's chain at
   * once, like every other delivery; what it took and failed goes down it after the answer, with that try counted
   * (and the time it failed), so the retry policy and a dead letter's attempts see it. Counted in flight
   * until those deliveries have started.
   */
  private deliverBatch(group: string, batch: BatchFn, envelopes: Envelope[]): Promise<unknown> {
    this.inflight++;
    const started: Array<Promise<Settlement>> = [];
    const handedBack = new Array<boolean>(envelopes.length).fill(false);
    const notTaken = (i: number) => {
      handedBack[i] = true;
      started.push(this.deliver(group, envelopes[i] as Envelope, 0, 0, null));
    };
    let answered: Promise<ReadonlyArray<boolean | undefined>>;
    try {
      answered = batch(envelopes, notTaken);
    } catch {
      // Nothing was tried: what the batch had not handed back goes down the chain like every other delivery.
      for (let i = 0; i < envelopes.length; i++) if (!handedBack[i]) notTaken(i);
      answered = Promise.resolve(envelopes.map(() => undefined));
    }
    const rest = (answers: ReadonlyArray<boolean | undefined>): Promise<unknown> => {
      try {
        for (let i = 0; i < envelopes.length; i++) {
          if (handedBack[i] || answers[i] === true) continue;
          started.push(this.deliver(group, envelopes[i] as Envelope, 0, 1, this.clock.now()));
        }
        return started.length > 0 ? Promise.all(started) : Promise.resolve(ACK);
      } finally {
        this.settleOne();
      }
    };
    // A batch that rejects is taken to have tried what it took and failed it.
    return answered.then(rest, () => rest([]));
  }

  /** The chain itself threw (e.g. the dead-letter store is unavailable): keep the message and try later. */
  private chainFailed(d: BusDelivery, thrown: unknown): Settlement {
    const error = toError(thrown);
    this.log.error({ err: error, group: d.group, messageId: d.envelope.id }, 'handler chain failed; keeping the message for a later try');
    return { kind: 'retry', delayMs: CHAIN_FAILURE_DELAY_MS, error };
  }

  /** A retry is stored in bus.db and armed; a success after a retry removes the stored one. */
  private settle(d: BusDelivery, s: Settlement): Settlement {
    try {
      if (this.closed) return s;
      const { group, envelope, round } = d;
      if (s.kind === 'retry') {
        const next = { round: round + 1, tries: d.tries, firstFailedAt: d.firstFailedAt ?? this.clock.now() };
        this.retries.put({ group, envelope, ...next, dueAt: this.clock.now() + s.delayMs });
        this.arm(group, envelope, next.round, next.tries, next.firstFailedAt, s.delayMs);
      } else if (round > 0) {
        this.retries.delete(group, envelope.id);
      }
      return s;
    } finally {
      this.settleOne();
    }
  }

  private settleOne(): void {
    if (--this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private arm(group: string, envelope: Envelope, round: number, tries: number, firstFailedAt: number | null, delayMs: number): void {
    const key = `${group}\u0000${envelope.id}`;
    this.timers.get(key)?.cancel();
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(key);
      void this.deliver(group, envelope, round, tries, firstFailedAt);
    }, Math.max(0, delayMs));
    this.timers.set(key, timer);
  }

  private cancelTimer(group: string, messageId: string): void {
    const key = `${group}\u0000${messageId}`;
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.retries.delete(group, messageId);
  }
}
