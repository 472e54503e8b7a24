import type { Channel } from 'amqplib';

/** Names of everything the transport declares, under one prefix so deployments (and test runs) never mix. */
export class Topology {
  constructor(
    readonly prefix: string,
    readonly retryRounds: number,
  ) {}

  get exchange(): string {
    return `${this.prefix}.events`;
  }

  queue(group: string): string {
    return `${this.prefix}.${group}`;
  }

  /** One delay queue per retry round: per-message TTLs in one queue would wait behind the longest one ahead. */
  retryQueue(group: string, round: number): string {
    return `${this.prefix}.${group}.retry.${Math.min(Math.max(round, 1), Math.max(this.retryRounds, 1))}`;
  }

  retryQueues(group: string): string[] {
    return Array.from({ length: Math.max(this.retryRounds, 1) }, (_, i) => this.retryQueue(group, i + 1));
  }

  /**
   * Idempotent: a durable topic exchange, a durable queue per group bound by message type, and the
   * group's delay queues, whose expired messages dead-letter back into the group's queue.
   */
  async declare(ch: Channel, groups: ReadonlyMap<string, readonly string[]>): Promise<void> {
    await ch.assertExchange(this.exchange, 'topic', { durable: true });
    for (const [group, types] of groups) {
      const queue = this.queue(group);
      await ch.assertQueue(queue, { durable: true });
      for (const type of types) await ch.bindQueue(queue, this.exchange, type);
      for (const retry of this.retryQueues(group)) {
        await ch.assertQueue(retry, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue } });
      }
    }
  }

  /** Test clean-up: removes the group's queues (the exchange is shared by the prefix). */
  async destroy(ch: Channel, groups: Iterable<string>): Promise<void> {
    for (const group of groups) {
      for (const q of [this.queue(group), ...this.retryQueues(group)]) await ch.deleteQueue(q);
    }
    await ch.deleteExchange(this.exchange);
  }
}
