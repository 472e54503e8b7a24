import type { Envelope } from '../../src/bus/envelope';
import type { Transport } from '../../src/bus/ports';
import { GatedTransport, type Held } from '../../src/bus/testing/gated-transport';

/**
 * The simulator's network: every publish waits until the schedule delivers it (in any order, possibly
 * twice, or several at once) or a crash drops it. A dropped publish was never acknowledged, so the outbox
 * sends it again after the restart, exactly as after a real crash.
 */
export class SimTransport extends GatedTransport {
  /** Decides per publish whether it goes straight through (live traffic) instead of waiting to be scheduled. */
  constructor(
    inner: Transport,
    private readonly passThrough: () => boolean = () => false,
  ) {
    super(inner);
  }

  override publish(envelopes: readonly Envelope[]): Promise<void> {
    return this.passThrough() ? this.inner.publish(envelopes) : super.publish(envelopes);
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
    await Promise.all([a, b].map((h) => this.send(h)));
  }

  /** Delivers everything held at once. */
  deliverAll(): Promise<void> {
    return this.releaseAll();
  }

  /** Injects a message straight into the transport (poison messages), bypassing any outbox. */
  inject(envelopes: readonly Envelope[]): Promise<void> {
    return this.inner.publish(envelopes);
  }

  private send(h: Held): Promise<void> {
    return this.inner.publish(h.envelopes).then(
      () => h.resolve(),
      (e: Error) => h.reject(e),
    );
  }
}
