import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Inbox } from './inbox';

/** One file's inbox, and how to run a write transaction on that file. */
export interface RetainedInbox {
  file: string;
  inbox: Inbox;
  transaction<T>(fn: () => T): T;
}

/** Records forgotten per group per transaction: small, so the event loop keeps moving. */
const BATCH = 2_000;

/**
 * INBOX_RETENTION_MS: forgets inbox records of messages older than the window, in every file that has
 * an inbox, a batch per turn of the event loop, every tenth of the window (at most every minute). Off
 * (0) by default: a record kept forever is what makes a duplicate of any age harmless. With a window,
 * a duplicate inside it is still refused; one older than it would be handled again, so the window must
 * outlast every redelivery an operator may cause (a file restored from a backup republishing its outbox,
 * a dead letter replayed).
 */
export class InboxRetention {
  private timer: TimerHandle | null = null;
  private sweeping: Promise<void> | null = null;
  private halted = false;

  constructor(
    private readonly inboxes: readonly RetainedInbox[],
    private readonly retentionMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.retentionMs <= 0) return;
    this.halted = false;
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.halted = true;
    this.timer?.cancel();
    this.timer = null;
    await this.sweeping;
  }

  async idle(): Promise<void> {
    await this.sweeping;
  }

  get busy(): boolean {
    return this.sweeping !== null;
  }

  /** One pass over every file until nothing older than the window is left; the records forgotten. */
  async sweep(): Promise<number> {
    const before = this.clock.now() - this.retentionMs;
    let total = 0;
    for (const r of this.inboxes) {
      for (;;) {
        const n = r.transaction(() => r.inbox.forgetOlderThan(before, BATCH));
        total += n;
        if (n === 0 || this.halted) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return total;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.sweeping = this.sweep()
        .then((n) => void (n > 0 && this.log.info({ forgotten: n, retentionMs: this.retentionMs }, 'inbox retention: forgot records older than the window')))
        .catch((error: unknown) => void this.log.error({ err: error }, 'inbox retention failed; trying again at the next sweep'))
        .finally(() => {
          this.sweeping = null;
          if (!this.halted) this.arm(Math.min(60_000, Math.max(1_000, this.retentionMs / 10)));
        });
    }, ms);
  }
}
