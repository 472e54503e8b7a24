import type { Envelope } from '../envelope';
import type { HandleFn, Settlement, Transport } from '../ports';

export interface HeldRedelivery {
  /** Resolves once the held redelivery is waiting (nothing of it has run yet). */
  entered: Promise<void>;
  release(): void;
}

/**
 * A transport that can stop a dead-letter replay at the door: the chosen redelivery waits before it reaches
 * the inner transport, so nothing is in flight while it waits (a group replay is paused between two items).
 * It also tells a test when a published message has settled, for waiting without `App.settled()`, which
 * would wait for the paused replay too.
 */
export class ReplayGate implements Transport {
  readonly name: string;
  /** Redeliveries that reached the inner transport (held ones count once released). */
  redeliveries = 0;
  private hold: { after: number; entered: () => void; released: Promise<void> } | null = null;
  private publishWaiters: Array<{ type: string; settled: () => void }> = [];

  constructor(private readonly inner: Transport) {
    this.name = `replay-gate(${inner.name})`;
  }

  /** Holds the redelivery that comes after `after` more have passed (0: the next one). */
  holdRedelivery(after = 0): HeldRedelivery {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((r) => (entered = r));
    this.hold = { after: this.redeliveries + after, entered, released: new Promise<void>((r) => (release = r)) };
    return { entered: enteredP, release };
  }

  /** Resolves when the next publish carrying a message of `type` has settled for every group. */
  settledPublish(type: string): Promise<void> {
    return new Promise((settled) => this.publishWaiters.push({ type, settled }));
  }

  async publish(envelopes: readonly Envelope[]): Promise<void> {
    const waiting = this.publishWaiters.filter((w) => envelopes.some((e) => e.type === w.type));
    this.publishWaiters = this.publishWaiters.filter((w) => !waiting.includes(w));
    await this.inner.publish(envelopes);
    for (const w of waiting) w.settled();
  }

  async redeliver(group: string, envelope: Envelope): Promise<Settlement> {
    const h = this.hold;
    if (h && this.redeliveries === h.after) {
      this.hold = null;
      h.entered();
      await h.released;
    }
    this.redeliveries++;
    return this.inner.redeliver(group, envelope);
  }

  subscribe(group: string, types: readonly string[], handle: HandleFn): void {
    this.inner.subscribe(group, types, handle);
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  idle(): Promise<void> {
    return this.inner.idle();
  }
  drained(): Promise<void> {
    return this.inner.drained ? this.inner.drained() : this.inner.idle();
  }
  get busy(): boolean {
    return this.inner.busy;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
