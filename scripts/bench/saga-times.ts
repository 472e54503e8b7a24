/**
 * When each saga of a latency round was created and when it ended, kept so that the bench adds as little
 * as it can to what the collector copies: the times go into typed arrays (whose storage the scavenger
 * never walks) and the ids into plain arrays, and ids are matched only after the round. Two Maps keyed by
 * id added to what each scavenge of a round copied and promoted, so the bench inflated the very pauses it
 * reports (docs/performance.md).
 */
export class SagaTimes {
  private ids: string[] = [];
  private times = new Float64Array(1 << 14);
  private count = 0;

  /** Records that saga `id` reached this point at `at` (performance.now()). */
  add(id: string, at: number): void {
    if (this.count === this.times.length) {
      const grown = new Float64Array(this.times.length * 2);
      grown.set(this.times);
      this.times = grown;
    }
    this.ids.push(id);
    this.times[this.count++] = at;
  }

  get size(): number {
    return this.count;
  }

  /** The recorded times by id, built once the round is over. */
  private byId(): Map<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < this.count; i++) m.set(this.ids[i] as string, this.times[i] as number);
    return m;
  }

  /** Each saga recorded here with its time in `ends`: [start, end] pairs (a saga missing from `ends` is left out). */
  pairWith(ends: SagaTimes): Array<{ start: number; end: number }> {
    const end = ends.byId();
    const out: Array<{ start: number; end: number }> = [];
    for (let i = 0; i < this.count; i++) {
      const e = end.get(this.ids[i] as string);
      if (e !== undefined) out.push({ start: this.times[i] as number, end: e });
    }
    return out;
  }
}
