/**
 * Values waiting under the numbers it hands out (0, 1, 2, …), each taken out once: requests waiting for
 * their answer. A ring of slots from the oldest number still waiting to the newest, grown when full, so
 * an entry costs two array stores and no hashing, and a slot is cleared when its value is taken. The
 * ring spans everything handed out since the oldest value still waiting: for answers that come back
 * in about the order asked (a thread's commits), not for work one of which may hang for long.
 *
 * Not a `Map`: a long-lived Map under steady inserts and deletes keeps rehashing, and V8 links each table
 * it replaces to its successor (for iterators that may still walk the old one) and leaves the old
 * entries in it. Once one of those dead tables sits in the old generation, the scavenger must keep what
 * it points to, which is then promoted and points on in turn: values that died young (here, whole
 * delivery chains behind a promise's resolve) are copied and promoted until the next full collection
 * (docs/performance.md). A null-prototype object avoids that, but with integer keys it is several times
 * slower than a Map, and with ids for keys it interns every id.
 */
export class SequenceTable<V> {
  private slots: Array<V | undefined> = new Array<V | undefined>(64).fill(undefined);
  private mask = 63;
  /** The oldest number that may still be waiting. */
  private head = 0;
  /** The next number handed out. */
  private next = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Keeps `value` (never undefined) and returns its number. */
  add(value: V): number {
    if (this.next - this.head > this.mask) this.grow();
    const n = this.next++;
    this.slots[n & this.mask] = value;
    this.count++;
    return n;
  }

  /** The value kept under `n`, removed; undefined when there is none (never given out, or taken already). */
  take(n: number): V | undefined {
    if (n < this.head || n >= this.next) return undefined;
    const i = n & this.mask;
    const value = this.slots[i];
    if (value === undefined) return undefined;
    this.slots[i] = undefined;
    this.count--;
    while (this.head < this.next && this.slots[this.head & this.mask] === undefined) this.head++;
    return value;
  }

  /** Removes every value and hands them back, oldest first. */
  drain(): V[] {
    const values = this.values();
    this.slots.fill(undefined);
    this.head = this.next;
    this.count = 0;
    return values;
  }

  /** The values waiting now, oldest first. */
  values(): V[] {
    const values: V[] = [];
    for (let n = this.head; n < this.next; n++) {
      const v = this.slots[n & this.mask];
      if (v !== undefined) values.push(v);
    }
    return values;
  }

  /** How many slots the ring has now (it grows while the oldest value waits; it never shrinks). */
  get capacity(): number {
    return this.mask + 1;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    const slots = new Array<V | undefined>(size).fill(undefined);
    for (let n = this.head; n < this.next; n++) slots[n & (size - 1)] = this.slots[n & this.mask];
    // The old ring is dropped cleared, so it keeps nothing alive if it sits in the old generation.
    this.slots.fill(undefined);
    this.slots = slots;
    this.mask = size - 1;
  }
}
