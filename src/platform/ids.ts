import { getRandomValues } from 'node:crypto';
import { V7Generator } from 'uuidv7';

/**
 * Random words from a larger buffer than the library's default (8 words): the hot path makes several
 * ids per saga, and refilling per id showed up in profiles.
 */
const pool = new Uint32Array(1024);
let cursor = pool.length;
const generator = new V7Generator({
  nextUint32: () => {
    if (cursor >= pool.length) {
      getRandomValues(pool);
      cursor = 0;
    }
    return pool[cursor++] as number;
  },
});

/** Unique, time-ordered ids (UUIDv7): they sort by creation time, which keeps SQLite indexes append-only. */
export const newId = (): string => generator.generate().toString();

/** The text every UUIDv7 made at `ms` or later sorts after: its 48-bit millisecond prefix, as the id writes it. */
export function uuidv7Prefix(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}
