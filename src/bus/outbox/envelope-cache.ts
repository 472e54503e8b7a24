import type { Envelope } from '../envelope';

/** The window of positions kept, from the oldest not yet dispatched: forty relay batches of 256. */
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
 * stays on disk: a row `capacity` positions or more past the oldest one not yet dispatched is not kept,
 * and the relay reads it back in full. Unbounded, the cache held every unpublished envelope: in a
 * million-saga run that outran its relays it grew the process by over a gigabyte (docs/performance.md).
 */
export class EnvelopeCache {
  /**
   * A ring of `capacity` slots by position, for the window from the lowest position not yet forgotten:
   * positions are row ids, dense and growing, so a slot is two array stores and no hashing. Not a Map:
   * entries come and go with every row (platform/sequence-table.ts says what that costs the collector).
   */
  private readonly slots: Array<{ position: number; identity: string; envelope: Envelope } | undefined>;
  /** No entry is held below this position. */
  private lowest = 0;
  private held = 0;
  private highest = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {
    this.slots = new Array<undefined>(capacity).fill(undefined);
  }

  remember(position: number, identity: string, envelope: Envelope): void {
    if (position > this.highest) this.highest = position;
    if (this.held === 0) this.lowest = position;
    // Past the window (writes outran the relay by `capacity` rows) the row is not kept; below it, it is
    // dispatched already. A position held already is overwritten: the entry must be the latest write there.
    if (position < this.lowest || position - this.lowest >= this.capacity) return;
    const i = position % this.capacity;
    if (this.slots[i] === undefined) this.held++;
    this.slots[i] = { position, identity, envelope };
  }

  /**
   * The highest position in the table when it was opened, or written since (kept or not, committed or
   * rolled back). A relay whose cursor is there already has nothing new to read: this connection is the
   * only writer of its outbox (the data directory's lock), so no row can be past it.
   */
  get newest(): number {
    return this.highest;
  }

  /** The table held rows up to `position` when this process opened it (a previous run's, dispatched or not). */
  opened(position: number): void {
    if (position > this.highest) this.highest = position;
  }

  /** How many envelopes are held. */
  get size(): number {
    return this.held;
  }

  /** The envelope written at `position` if it is the one with `identity`; otherwise the row's JSON, loaded and parsed. */
  read(position: number, identity: string, load: (position: number) => string): Envelope {
    const hit = this.slots[position % this.capacity];
    return hit !== undefined && hit.position === position && hit.identity === identity ? hit.envelope : (JSON.parse(load(position)) as Envelope);
  }

  /** Everything up to `position` is dispatched. */
  forgetUpTo(position: number): void {
    if (this.held === 0 || position < this.lowest) return;
    const last = Math.min(position, this.lowest + this.capacity - 1);
    for (let p = this.lowest; p <= last; p++) {
      const i = p % this.capacity;
      if (this.slots[i] !== undefined) {
        this.slots[i] = undefined;
        this.held--;
      }
    }
    this.lowest = position + 1;
  }
}
