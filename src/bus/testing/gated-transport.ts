import type { Envelope } from '../envelope';
import type { HandleFn, Settlement, Transport } from '../ports';

export interface Held {
  envelopes: readonly Envelope[];
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Holds every publish until the test releases it. Dropping the held publishes and restarting is what a
 * crash between two steps looks like to the outbox: nothing was dispatched, so it is all sent again.
 */
export class GatedTransport implements Transport {
  readonly name: string;
  protected held: Held[] = [];

  constructor(protected readonly inner: Transport) {
    this.name = `gated(${inner.name})`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  publish(envelopes: readonly Envelope[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.push({ envelopes, resolve, reject }));
  }

  /** Delivers everything held so far and resolves once every group settled it. */
  async releaseAll(): Promise<void> {
    const batch = this.held;
    this.held = [];
    await Promise.all(batch.map((h) => this.inner.publish(h.envelopes).then(h.resolve, h.reject)));
  }

  dropAll(): void {
    const batch = this.held;
    this.held = [];
    for (const h of batch) h.reject(new Error('dropped by the test: simulated crash before the transport took the message'));
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
  drained(): Promise<void> {
    return this.inner.drained ? this.inner.drained() : this.inner.idle();
  }
  get busy(): boolean {
    return this.inner.busy;
  }
  async close(): Promise<void> {
    this.dropAll();
    await this.inner.close();
  }
}
