import type { Clock, TimerHandle } from './clock';
import type { Logger } from './logger';

const RETRY_AFTER_FAILURE_MS = 1_000;
/**
 * Timers run on monotonic time while deadlines are wall-clock instants: after the system clock jumps
 * forward, a timer armed for "in two minutes" would still wait two minutes. Waking at least this often
 * re-reads the clock, so a deadline the jump made due fires within this long (a jump back never fires one early).
 */
export const DEADLINE_RECHECK_MS = 5_000;

/**
 * One timer for the earliest pending payment deadline, re-armed from the database after each firing.
 * Deadlines live in reservation.db, so after a restart `start()` finds them (and fires at once for any
 * that passed while the process was down).
 */
export class DeadlineScheduler {
  private timer: TimerHandle | null = null;
  private armedAt: number | null = null;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly nextDeadline: () => string | null,
    private readonly expireDue: () => number,
    private readonly onExpired: () => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running = true;
    this.rearm();
  }

  /** A new deadline exists; arm for it when it is earlier than the one waited for. */
  notify(deadline: string): void {
    const at = Date.parse(deadline);
    if (this.running && (this.armedAt === null || at < this.armedAt)) this.arm(at);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.armedAt = null;
  }

  private rearm(): void {
    const next = this.nextDeadline();
    if (next === null) {
      this.timer?.cancel();
      this.timer = null;
      this.armedAt = null;
    } else this.arm(Date.parse(next));
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.min(at - this.clock.now(), DEADLINE_RECHECK_MS));
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = null;
    if (!this.running) return;
    try {
      const n = this.expireDue();
      if (n > 0) {
        this.log.info({ expired: n }, 'reservations cancelled at their payment deadline');
        this.onExpired();
      }
      this.rearm();
    } catch (error) {
      this.log.error({ err: error }, 'expiring reservations failed; trying again shortly');
      this.arm(this.clock.now() + RETRY_AFTER_FAILURE_MS);
    }
  }
}
