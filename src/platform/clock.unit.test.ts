import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iso } from './clock';

describe('iso', () => {
  it('writes every instant exactly as Date#toISOString does (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees at the edges: day and year boundaries, extended years, fractions, -0', () => {
    for (const ms of [0, -0, -1, 1, 999, 1000, 86_399_999, 86_400_000, -86_400_000, 1.9, -1.5, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 8.64e15, -8.64e15]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('refuses what Date refuses', () => {
    for (const ms of [Number.NaN, Infinity, 8.64e15 + 1]) expect(() => iso(ms)).toThrow(RangeError);
  });
});
