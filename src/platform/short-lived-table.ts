/**
 * A key → value table for entries that come and go all the time and stay only briefly: writes waiting
 * for their answer, envelopes waiting for their relay, sagas in flight. Not a `Map`: a long-lived Map
 * under steady inserts and deletes keeps rehashing, and V8 links each table it replaces to its
 * successor (for iterators that may still walk the old one) and leaves the old entries in it. Once one
 * of those dead tables sits in the old generation, the scavenger must keep what it points to, which is
 * then promoted and points on in turn: objects that died young are copied and promoted until the next
 * full collection. In the bench at half load that made most of what each scavenge copied and promoted
 * (docs/performance.md). A null-prototype object is a plain V8 dictionary, which replaces its storage
 * without such links.
 *
 * For string keys (ids): with integer keys V8's dictionary is several times slower than a Map, and
 * sequence-table.ts serves numbers handed out in order. Iteration order is unspecified.
 */
export class ShortLivedTable<K extends string, V> {
  private entries: Record<string, V> = Object.create(null) as Record<string, V>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    return this.entries[key];
  }

  has(key: K): boolean {
    return key in this.entries;
  }

  set(key: K, value: V): this {
    if (!(key in this.entries)) this.count++;
    this.entries[key] = value;
    return this;
  }

  delete(key: K): boolean {
    if (!(key in this.entries)) return false;
    delete this.entries[key];
    this.count--;
    return true;
  }

  /** The keys held now. */
  keys(): K[] {
    return Object.keys(this.entries) as K[];
  }

  /** The values held now. */
  values(): V[] {
    return Object.values(this.entries);
  }

  /** Removes every entry and hands back their values. */
  drain(): V[] {
    const values = Object.values(this.entries);
    this.entries = Object.create(null) as Record<string, V>;
    this.count = 0;
    return values;
  }
}
