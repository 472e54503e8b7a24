import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Envelope } from '../envelope';
import type { OutboxSource } from './outbox';

export interface RelayOptions {
  batchSize: number;
  /** Batches published but not yet settled; a slow consumer then delays the checkpoint, not delivery. */
  maxInFlight: number;
  /** The slow safety poll; the hot path is `wake()` right after a commit. */
  pollMs: number;
  /** Wait after a failed publish before trying again. */
  failureBackoffMs: number;
}

export const defaultRelayOptions: RelayOptions = { batchSize: 256, maxInFlight: 8, pollMs: 5_000, failureBackoffMs: 1_000 };

export interface Publisher {
  publish(envelopes: readonly Envelope[]): Promise<void>;
}

interface InFlight {
  lastSeq: number;
  state: 'pending' | 'done' | 'failed';
  promise: Promise<void>;
}

/**
 * Publishes a module's outbox rows in commit order, up to `maxInFlight` batches at once, and marks them
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
  /** Resolved by `wake()` so a drain waiting on slow batches goes back to read new rows. */
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
      this.wake();
      this.armPoll(this.options.pollMs);
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        while (!this.stopped && this.inflight.length < this.options.maxInFlight) {
          const batch = this.source.pending(this.cursor, this.options.batchSize);
          if (batch.length === 0) break;
          this.cursor = (batch[batch.length - 1] as (typeof batch)[number]).seq;
          this.send(batch.map((m) => m.envelope), this.cursor);
          // A short batch is all there was: nothing commits while this loop runs (it never yields), so a
          // second read would find nothing. At low load, where most drains find a few rows, that read was
          // one statement per drain for nothing.
          if (batch.length < this.options.batchSize) break;
        }
        if (this.inflight.length === 0) break;
        // Wait only on batches still pending: a later batch can finish before an earlier one, and racing an
        // already-settled promise would spin without ever letting the earlier one's I/O run.
        const pending = this.inflight.filter((f) => f.state === 'pending');
        if (pending.length > 0) {
          this.woken = this.newWakeSignal();
          await Promise.race([...pending.map((f) => f.promise), this.woken.promise]);
        }
        const recorded = this.checkpoint();
        if (!recorded || this.inflight.some((f) => f.state === 'failed')) return this.recover();
      }
      this.armPoll(this.options.pollMs);
    } catch (error) {
      // Reading the outbox failed (e.g. an I/O error): start over from the checkpoint after a pause.
      this.log.error({ err: error }, 'outbox relay failed; starting over from the last dispatched row shortly');
      this.inflight = [];
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
    const f: InFlight = { lastSeq, state: 'pending', promise: Promise.resolve() };
    f.promise = this.bus.publish(envelopes).then(
      () => void (f.state = 'done'),
      (error: unknown) => {
        f.state = 'failed';
        this.log.warn({ err: error }, 'outbox relay could not publish; will try again');
      },
    );
    this.inflight.push(f);
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
    this.inflight.splice(0, n);
    return true;
  }

  /** After a failure: let the rest settle, keep what completed in order, then retry from there after a pause. */
  private async recover(): Promise<void> {
    await Promise.all(this.inflight.map((f) => f.promise));
    this.checkpoint();
    this.inflight = [];
    this.cursor = 0; // read again from the first undispatched row
    this.backOff(); // instead of spinning on a transport that is down
  }
}
