import { describe, expect, it } from 'vitest';
import { ShortLivedTable } from './short-lived-table';

describe('the short-lived table', () => {
  it('keeps, counts, finds and forgets entries like a map, whatever the key is called', () => {
    const t = new ShortLivedTable<string, number | undefined>();
    t.set('a', 1).set('b', 2).set('b', 3).set('__proto__', 4).set('constructor', undefined);
    expect(t.size).toBe(4);
    expect([t.get('b'), t.get('__proto__'), t.has('constructor'), t.get('constructor'), t.has('toString'), t.get('c')]).toEqual([3, 4, true, undefined, false, undefined]);
    expect(t.keys().sort()).toEqual(['__proto__', 'a', 'b', 'constructor']);
    expect(t.values().sort()).toEqual([1, 3, 4, undefined]);
    expect([t.delete('a'), t.delete('a'), t.size]).toEqual([true, false, 3]);
    expect(t.drain().sort()).toEqual([3, 4, undefined]);
    expect([t.size, t.has('b')]).toEqual([0, false]);
  });
});
