import { describe, expect, it } from 'vitest';
import { SequenceTable } from './sequence-table';

describe('the sequence table', () => {
  it('hands out numbers in order and gives each value back once, in any order, growing past its first size', () => {
    const t = new SequenceTable<{ v: number }>();
    const numbers = Array.from({ length: 300 }, (_, v) => t.add({ v }));
    expect(numbers).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(t.size).toBe(300);
    // Taken out of order: the oldest stays while later ones go, and nothing is lost when the ring grows.
    for (let n = 299; n >= 1; n -= 2) expect(t.take(n)).toEqual({ v: n });
    expect([t.take(1), t.take(300), t.take(-1), t.size]).toEqual([undefined, undefined, undefined, 150]);
    for (let k = 0; k < 200; k++) t.add({ v: 300 + k });
    expect(t.values().slice(0, 3)).toEqual([{ v: 0 }, { v: 2 }, { v: 4 }]);
    expect(t.take(0)).toEqual({ v: 0 });
    expect(t.take(499)).toEqual({ v: 499 });
    const rest = t.drain();
    expect(rest).toHaveLength(150 - 1 + 200 - 1);
    expect(rest[0]).toEqual({ v: 2 });
    expect([t.size, t.take(2), t.add({ v: 500 })]).toEqual([0, undefined, 500]);
  });

  it('keeps its values through a wrap and a growth, and stays small when the oldest keep being taken', () => {
    const t = new SequenceTable<number>();
    for (let v = 0; v < 60; v++) t.add(v);
    for (let n = 0; n < 50; n++) t.take(n); // head moves to 50: the next adds wrap around the ring
    for (let v = 60; v < 200; v++) t.add(v); // 150 waiting: grows past 64 with the live range wrapped
    expect(t.values()).toEqual(Array.from({ length: 150 }, (_, i) => 50 + i));
    expect([t.take(199), t.take(50), t.size]).toEqual([199, 50, 148]);

    const churn = new SequenceTable<number>();
    for (let v = 0; v < 100_000; v++) churn.take(churn.add(v)); // one at a time, answered at once
    expect([churn.size, churn.capacity]).toEqual([0, 64]);
  });
});
