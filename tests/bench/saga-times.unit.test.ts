import { describe, expect, it } from 'vitest';
import { SagaTimes } from '../../scripts/bench/saga-times';

describe("the bench's saga times", () => {
  it('pairs each start with its end by id, past its first storage, and leaves out sagas that never ended', () => {
    const starts = new SagaTimes();
    const ends = new SagaTimes();
    const n = 20_000; // past the first typed array (16,384)
    for (let i = 0; i < n; i++) starts.add(`s${i}`, i);
    for (let i = n - 1; i >= 1; i--) ends.add(`s${i}`, i + 0.5); // in another order; s0 never ends
    expect([starts.size, ends.size]).toEqual([n, n - 1]);
    const pairs = starts.pairWith(ends);
    expect(pairs).toHaveLength(n - 1);
    expect(pairs[0]).toEqual({ start: 1, end: 1.5 });
    expect(pairs[n - 2]).toEqual({ start: n - 1, end: n - 0.5 });
    expect(pairs.every((p) => p.end - p.start === 0.5)).toBe(true);
  });
});
