import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEnvelope, defineContract } from '../envelope';
import { EnvelopeCache } from './envelope-cache';

const Noted = defineContract('test.Noted', 1, z.object({ n: z.number() }));
const envelope = (n: number) => createEnvelope(Noted, { n }, { key: 'k', occurredAt: '2030-01-01T00:00:00.000Z' });

describe('the envelope cache', () => {
  it('holds at most its capacity when writes outrun the relay; past it, rows are read back in full', () => {
    const cache = new EnvelopeCache(3);
    const written = [1, 2, 3, 4, 5].map((n) => envelope(n));
    written.forEach((e, i) => cache.remember(i + 1, e.id, e));
    expect(cache.size).toBe(3);
    const load = (position: number) => JSON.stringify(written[position - 1]);
    expect(cache.read(3, written[2]!.id, load)).toBe(written[2]); // held: the object written, not parsed
    const fifth = cache.read(5, written[4]!.id, load);
    expect(fifth).not.toBe(written[4]); // not held: parsed from the row
    expect(fifth).toEqual(written[4]);
    // Once the relay has dispatched the first ones, new writes are held again.
    cache.forgetUpTo(2);
    const sixth = envelope(6);
    cache.remember(6, sixth.id, sixth);
    expect(cache.read(6, sixth.id, () => '')).toBe(sixth);
  });

  it('overwrites a position it holds even when full: the entry is always the latest write there', () => {
    const cache = new EnvelopeCache(2);
    const [a, b, c] = [envelope(1), envelope(2), envelope(3)];
    cache.remember(1, a.id, a);
    cache.remember(2, b.id, b); // then rolled back, and position 2 written again
    cache.remember(2, c.id, c);
    expect(cache.size).toBe(2);
    expect(cache.read(2, c.id, () => JSON.stringify(c))).toBe(c);
  });
});
