import type { Clock, TimerHandle } from '../../platform/clock';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to. Timers fire in time order, each followed by `settle` when given. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: number | string = '2026-01-01T00:00:00.000Z') {
    this.t = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order. After each one it
   * awaits `settle` (e.g. the app's settled signal), so work a timer starts can schedule further timers
   * that still fall inside the window.
   */
  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      const next = this.nextTimer();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = target;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  /**
   * The system clock jumps by `ms` (forward or back) without any time passing: timers, which run on
   * monotonic time, keep their remaining delays.
   */
  jump(ms: number): void {
    this.t += ms;
    for (const timer of this.timers) timer.at += ms;
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.cancelled) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
