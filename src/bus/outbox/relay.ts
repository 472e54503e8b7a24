import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Envelope } from '../envelope';
import type { OutboxSource } from './outbox';

export interface RelayOptions {
  batchSize: number;
  /** The slow safety poll; the hot path is `wake()` right after a commit. */
  pollMs: number;
  /** Wait after a failed publish before trying again. */
  failureBackoffMs: number;
}

export const defaultRelayOptions: RelayOptions = { batchSize: 256, pollMs: 5_000, failureBackoffMs: 1_000 };

interface Publisher {
  publish(envelopes: readonly Envelope[]): Promise<void>;
}

/**
 * Publishes a module's pending outbox rows in commit order and marks them dispatched only after the
 * transport took responsibility. At start it resumes whatever a crash left undispatched.
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private poll: TimerHandle | null = null;
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
    this.wake();
  }

  /** Call after a commit that added outbox rows. Cheap when a drain is already running. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      // A wake that arrived after the drain's last look but before this callback must not be lost.
      if (this.again) this.wake();
    });
  }

  get busy(): boolean {
    return this.running !== null;
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

  private async drain(): Promise<void> {
    this.poll?.cancel();
    let delay = this.options.pollMs;
    try {
      do {
        this.again = false;
        for (;;) {
          if (this.stopped) return;
          const batch = this.source.pending(this.options.batchSize);
          if (batch.length === 0) break;
          await this.bus.publish(batch.map((m) => m.envelope));
          this.source.markDispatched((batch[batch.length - 1] as (typeof batch)[number]).seq);
        }
      } while (this.again);
    } catch (error) {
      this.log.warn({ err: error }, 'outbox relay could not publish; will try again');
      delay = this.options.failureBackoffMs;
      this.again = false; // back off instead of spinning on a transport that is down
    }
    if (!this.stopped) this.poll = this.clock.setTimeout(() => this.wake(), delay);
  }
}
