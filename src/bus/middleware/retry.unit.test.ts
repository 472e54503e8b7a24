import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './retry';

describe('backoff with full jitter', () => {
  const policy = { immediate: 0, delayed: 10, baseDelayMs: 100, maxDelayMs: 5_000 };

  it('stays within [0, min(cap, base * 2^round)]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (round, r) => {
        const d = backoffDelay(policy, round, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** round));
      }),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = (round: number) => backoffDelay(policy, round, () => 0.9999999);
    expect([0, 1, 2, 3, 6].map(top)).toEqual([99, 199, 399, 799, 4_999]);
  });
});
