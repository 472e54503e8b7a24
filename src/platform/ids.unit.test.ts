import { describe, expect, it, vi } from 'vitest';
import { newId, uuidv7Prefix } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('newId', () => {
  it('makes RFC 9562 version 7 ids carrying the current millisecond', () => {
    const before = Date.now();
    const id = newId();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now() + 1);
    expect(id >= uuidv7Prefix(before)).toBe(true);
  });

  it('sorts ids in the order they were made, many within one millisecond, and never repeats one', () => {
    const ids = Array.from({ length: 20_000 }, newId);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order when the clock stands still past the sequence or steps back a little; follows a long step back', () => {
    const t = Date.UTC(2030, 0, 1);
    const now = vi.spyOn(Date, 'now').mockReturnValue(t);
    try {
      const still = Array.from({ length: 5_000 }, newId); // more than the 4,096 a millisecond's sequence holds
      now.mockReturnValue(t - 5_000); // 5 s back
      const back = Array.from({ length: 10 }, newId);
      const all = [...still, ...back];
      expect([...all].sort()).toEqual(all);
      expect(new Set(all).size).toBe(all.length);
      for (const id of all) expect(id).toMatch(UUID_V7);
      now.mockReturnValue(t - 3_600_000); // an hour back: the ids follow the clock
      expect(msOf(newId())).toBe(t - 3_600_000);
    } finally {
      now.mockRestore();
    }
  });
});
