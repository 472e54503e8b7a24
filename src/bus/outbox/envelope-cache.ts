import type { Envelope } from '../envelope';

/** Pending envelopes kept: forty relay batches of 256. */
export const DEFAULT_CAPACITY = 10_240;

/**
 * Envelopes this process just wrote to an outbox, by row position, so the relay reads back only each
 * row's position and a short identity (the outbox's message id, the event store's stream id) instead
 * of its whole JSON (~2% of a saga's instructions under callgrind), and parses nothing it wrote itself.
 * A position can be reused: a row from a rolled-back transaction frees its position for the next
 * insert. Every insert remembers what it wrote, so the entry for a position is always the latest write
 * there; the identity check is the second guard (a row some other writer put there is read and parsed
 * in full).
 *
 * Bounded: when writes outrun the relay (a burst, a slow consumer, a broker outage on RabbitMQ) the backlog
 * stays on disk, and past `capacity` pending envelopes new ones are not kept; the relay reads those rows
 * back in full. Unbounded, the cache held every unpublished envelope: in a million-saga run that outran
 * its relays it grew the process by over a gigabyte (docs/performance.md).
 */
export class EnvelopeCache {
  private readonly byPosition = new Map<number, { identity: string; envelope: Envelope }>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  remember(position: number, identity: string, envelope: Envelope): void {
    // A position already held is overwritten whatever the size: the entry must be the latest write there.
    if (this.byPosition.size >= this.capacity && !this.byPosition.has(position)) return;
    this.byPosition.set(position, { identity, envelope });
  }

  /** How many envelopes are held. */
  get size(): number {
    return this.byPosition.size;
  }

  /** The envelope written at `position` if it is the one with `identity`; otherwise the row's JSON, loaded and parsed. */
  read(position: number, identity: string, load: (position: number) => string): Envelope {
    const hit = this.byPosition.get(position);
    return hit && hit.identity === identity ? hit.envelope : (JSON.parse(load(position)) as Envelope);
  }

  /** Everything up to `position` is dispatched. */
  forgetUpTo(position: number): void {
    for (const key of this.byPosition.keys()) {
      if (key > position) break; // insertion order is position order
      this.byPosition.delete(key);
    }
  }
}
