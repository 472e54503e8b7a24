import type { Envelope } from '../../src/bus/envelope';
import type { HandleFn, Settlement, Transport } from '../../src/bus/ports';

interface Held {
  envelopes: readonly Envelope[];
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The simulator's network: every publish waits here until the schedule delivers it (in any order,
 * possibly twice) or a crash drops it. A dropped publish was never acknowledged, so the outbox sends
 * it again after the restart, exactly as after a real crash.
 */
export class SimTransport implements Transport {
  readonly name = 'sim';
  private held: Held[] = [];

  /** Decides per publish whether it goes straight through (live traffic) instead of waiting to be scheduled. */
  constructor(
    private readonly inner: Transport,
    private readonly passThrough: () => boolean = () => false,
  ) {}

  get heldCount(): number {
    return this.held.length;
  }

  publish(envelopes: readonly Envelope[]): Promise<void> {
    if (this.passThrough()) return this.inner.publish(envelopes);
    return new Promise((resolve, reject) => this.held.push({ envelopes, resolve, reject }));
  }

  /** Delivers held publish `i` (`times` = 2 delivers it twice) and waits until every group settled it. */
  async deliver(i: number, times = 1): Promise<void> {
    const [h] = this.held.splice(i, 1);
    if (!h) return;
    try {
      for (let n = 0; n < times; n++) await this.inner.publish(h.envelopes);
      h.resolve();
    } catch (e) {
      h.reject(e as Error);
    }
  }

  /** Delivers two held publishes at once, so their handlers interleave (e.g. a charge in flight meets a cancellation). */
  async deliverTogether(i: number, j: number): Promise<void> {
    const [a, b] = [this.held[i], this.held[j]];
    if (!a || !b || a === b) return this.deliver(i);
    this.held = this.held.filter((h) => h !== a && h !== b);
    await Promise.all(
      [a, b].map((h) =>
        this.inner.publish(h.envelopes).then(
          () => h.resolve(),
          (e: Error) => h.reject(e),
        ),
      ),
    );
  }

  /** Delivers everything held at once. */
  async deliverAll(): Promise<void> {
    const all = this.held;
    this.held = [];
    await Promise.all(all.map((h) => this.inner.publish(h.envelopes).then(() => h.resolve(), (e: Error) => h.reject(e))));
  }

  dropAll(): void {
    const all = this.held;
    this.held = [];
    for (const h of all) h.reject(new Error('simulated crash: the transport never took this publish'));
  }

  /** Injects a message straight into the transport (poison messages), bypassing any outbox. */
  inject(envelopes: readonly Envelope[]): Promise<void> {
    return this.inner.publish(envelopes);
  }

  subscribe(group: string, types: readonly string[], handle: HandleFn): void {
    this.inner.subscribe(group, types, handle);
  }
  redeliver(group: string, envelope: Envelope): Promise<Settlement> {
    return this.inner.redeliver(group, envelope);
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  idle(): Promise<void> {
    return this.inner.idle();
  }
  get busy(): boolean {
    return this.inner.busy;
  }
  async close(): Promise<void> {
    this.dropAll();
    await this.inner.close();
  }
}
