import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Envelope } from '../envelope';
import type { OutboxSource } from './outbox';

export interface RelayOptions {
  batchSize: number;
  /**
   * Messages published but not yet settled; a slow consumer then delays the checkpoint, not delivery. Counted
   * in messages, not batches: at low load a drain finds a few rows, and eight such batches held by one slow
   * consumer group (the writer thread, falling behind) stopped every saga until it caught up. The default is
   * large enough that full load's relays do not wait on the writer thread either, and small enough to hold
   * only a few megabytes of envelopes (docs/performance.md has the runs).
   */
  maxInFlight: number;
  /** The slow safety poll; the hot path is `wake()` right after a commit. */
  pollMs: number;
  /** Wait after a failed publish before trying again. */
  failureBackoffMs: number;
}

export const defaultRelayOptions: RelayOptions = { batchSize: 256, maxInFlight: 8_192, pollMs: 5_000, failureBackoffMs: 1_000 };

export interface Publisher {
  publish(envelopes: readonly Envelope[]): Promise<void>;
}

interface InFlight {
  lastSeq: number;
  /** Messages in the batch. */
  size: number;
  state: 'pending' | 'done' | 'failed';
  promise: Promise<void>;
  /** The relay's epoch when sent: a batch abandoned by a failed read settles without touching the counts. */
  epoch: number;
}

/**
 * Publishes a module's outbox rows in commit order, up to `maxInFlight` messages at once, and marks them
 * dispatched only after the transport took responsibility, advancing over the completed prefix only.
 * At start, and after a failed publish, it goes back to the last dispatched row: whatever a crash or a
 * failure left undispatched is published again (consumers' inboxes absorb the repeats).
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /**
   * After a failed publish or read, until the backoff timer fires: commits then only note that there is
   * work. Without it every commit during a broker outage started a drain that re-read the whole growing
   * backlog and failed again: a spin at the commit rate instead of one try per backoff.
   */
  private backingOff = false;
  private poll: TimerHandle | null = null;
  private cursor = 0;
  private inflight: InFlight[] = [];
  /** Messages in `inflight`, and how many of its batches are still pending. */
  private inflightMessages = 0;
  private pendingBatches = 0;
  private failedBatches = 0;
  private epoch = 0;
  /** Resolved by `wake()` and by every batch that settles, so a drain waiting on slow batches goes back to read new rows or checkpoint. */
  private woken: { promise: Promise<void>; resolve: () => void } = this.newWakeSignal();
  private readonly options: RelayOptions;

  constructor(
    private readonly source: OutboxSource,
    private readonly bus: Publisher,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<RelayOptions> = {},
  ) {
    this.options = { ...defaultRelayOptions, ...options };
  }

  start(): void {
    this.stopped = false;
    this.backingOff = false;
    this.cursor = 0;
    this.wake();
  }

  /** Call after a commit that added outbox rows. Cheap when a drain is already running. */
  wake(): void {
    if (this.stopped || this.backingOff) return;
    if (this.running) {
      this.again = true;
      this.woken.resolve();
      return;
    }
    this.again = false;
    this.running = this.drain().finally(() => {
      this.running = null;
      // A wake that arrived after the drain's last look but before this callback must not be lost.
      if (this.again) this.wake();
    });
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Started and not stopped (readiness). */
  get started(): boolean {
    return !this.stopped;
  }

  /** Resolves when the relay has nothing in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poll?.cancel();
    this.poll = null;
    await this.idle();
  }

  /** The safety poll runs on its own schedule; drains never create or cancel timers on the hot path. */
  private armPoll(delayMs: number): void {
    if (this.stopped || this.poll) return;
    this.poll = this.clock.setTimeout(() => {
      this.poll = null;
      this.backingOff = false;
      // The safety poll reads the file itself, from the checkpoint (a drain's cursor may let the source answer from memory).
      if (!this.running && this.inflight.length === 0) this.cursor = 0;
      this.wake();
      this.armPoll(this.options.pollMs);
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        while (!this.stopped && this.inflightMessages < this.options.maxInFlight) {
          const limit = Math.min(this.options.batchSize, this.options.maxInFlight - this.inflightMessages);
          const batch = this.source.pending(this.cursor, limit);
          if (batch.length === 0) break;
          this.cursor = (batch[batch.length - 1] as (typeof batch)[number]).seq;
          this.send(batch.map((m) => m.envelope), this.cursor);
          // A short batch is all there was: nothing commits while this loop runs (it never yields), so a
          // second read would find nothing. At low load, where most drains find a few rows, that read was
          // one statement per drain for nothing.
          if (batch.length < limit) break;
        }
        if (this.inflight.length === 0) break;
        // Wait only while a batch is still pending (a later batch can finish before an earlier one): the
        // next settlement or wake resolves the signal. One signal, not a race over every pending batch,
        // whose cost grew with the batches in flight.
        if (this.pendingBatches > 0) {
          this.woken = this.newWakeSignal();
          await this.woken.promise;
        }
        const recorded = this.checkpoint();
        if (!recorded || this.failedBatches > 0) return this.recover();
      }
      this.armPoll(this.options.pollMs);
    } catch (error) {
      // Reading the outbox failed (e.g. an I/O error): start over from the checkpoint after a pause.
      this.log.error({ err: error }, 'outbox relay failed; starting over from the last dispatched row shortly');
      this.inflight = [];
      this.inflightMessages = 0;
      this.pendingBatches = 0;
      this.failedBatches = 0;
      this.epoch++;
      this.cursor = 0;
      this.backOff();
    }
  }

  /** The next try after `failureBackoffMs`, whatever commits in between. */
  private backOff(): void {
    this.backingOff = true;
    this.again = false;
    this.poll?.cancel();
    this.poll = null;
    this.armPoll(this.options.failureBackoffMs);
  }

  private newWakeSignal(): { promise: Promise<void>; resolve: () => void } {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  private send(envelopes: Envelope[], lastSeq: number): void {
    const f: InFlight = { lastSeq, size: envelopes.length, state: 'pending', promise: Promise.resolve(), epoch: this.epoch };
    f.promise = this.bus.publish(envelopes).then(
      () => this.settled(f, 'done'),
      (error: unknown) => {
        this.log.warn({ err: error }, 'outbox relay could not publish; will try again');
        this.settled(f, 'failed');
      },
    );
    this.inflight.push(f);
    this.inflightMessages += f.size;
    this.pendingBatches++;
  }

  private settled(f: InFlight, state: 'done' | 'failed'): void {
    f.state = state;
    if (f.epoch !== this.epoch) return;
    this.pendingBatches--;
    if (state === 'failed') this.failedBatches++;
    this.woken.resolve();
  }

  /**
   * Marks dispatched up to the last batch of the completed prefix. False when that could not be written
   * (e.g. the disk is full): the batches stay in flight and the relay backs off, publishing them again later.
   */
  private checkpoint(): boolean {
    let n = 0;
    let last: number | null = null;
    while (this.inflight[n]?.state === 'done') last = (this.inflight[n++] as InFlight).lastSeq;
    if (last === null) return true;
    try {
      this.source.markDispatched(last);
    } catch (error) {
      this.log.warn({ err: error }, 'outbox relay could not record what it published; will publish it again');
      return false;
    }
    for (const f of this.inflight.splice(0, n)) this.inflightMessages -= f.size;
    return true;
  }

  /** After a failure: let the rest settle, keep what completed in order, then retry from there after a pause. */
  private async recover(): Promise<void> {
    await Promise.all(this.inflight.map((f) => f.promise));
    this.checkpoint();
    this.inflight = [];
    this.inflightMessages = 0;
    this.failedBatches = 0;
    this.cursor = 0; // read again from the first undispatched row
    this.backOff(); // instead of spinning on a transport that is down
  }
}
