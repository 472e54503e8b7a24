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
    // Once the relay has dispatched up to the first row not held, new writes are held again.
    cache.forgetUpTo(4);
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
    // The event store's identity is the stream id, the same for both writes: the later one must be the one read.
    const [d, e] = [envelope(4), envelope(5)];
    cache.remember(2, 'stream-1', d);
    cache.remember(2, 'stream-1', e);
    expect(cache.read(2, 'stream-1', () => '')).toBe(e);
  });

  it('forgets everything up to a position; a row far past the window is read back, and the window restarts once all is forgotten', () => {
    const cache = new EnvelopeCache(4);
    const [a, b, c, d, e] = [envelope(1), envelope(2), envelope(3), envelope(4), envelope(5)];
    cache.remember(10, a.id, a);
    cache.remember(11, b.id, b);
    cache.remember(12, c.id, c);
    cache.forgetUpTo(11);
    expect(cache.size).toBe(1);
    expect(cache.read(12, c.id, () => '')).toBe(c);
    cache.remember(1_000_000, d.id, d); // far past the window: not held
    expect(cache.size).toBe(1);
    expect(cache.read(1_000_000, d.id, () => JSON.stringify(d))).not.toBe(d);
    cache.forgetUpTo(1_000_000);
    expect(cache.size).toBe(0);
    cache.remember(1_000_001, e.id, e);
    expect(cache.read(1_000_001, e.id, () => '')).toBe(e);
    // A slot shared with another position in the ring never answers for it.
    expect(cache.read(1_000_005, e.id, () => JSON.stringify(e))).not.toBe(e);
  });
});
