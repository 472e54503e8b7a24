import { randomFillSync } from 'node:crypto';

/*
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of sequence, the RFC variant and
 * 62 random bits. Written here rather than through a library: the hot path makes about ten ids per
 * saga, and building each id's text piece by piece (the `uuidv7` package, then `crypto.randomUUID()`
 * spliced) was a large share of what the process allocated (docs/performance.md). Here the text is written as ASCII into
 * one reusable buffer and read out as a single string; the random bytes come from a pool that
 * `crypto.randomFillSync` refills (cryptographically secure, 512 ids per refill).
 *
 * Ids made in one process sort in the order they were made: within a millisecond the 12-bit sequence
 * counts up from a random start (RFC 9562, method 1); when it runs out, the timestamp moves on by one,
 * so an id never sorts before an earlier one. A clock that steps back a little (up to 10 s, as the
 * `uuidv7` package allowed) is ridden out the same way; one that steps back further is followed, so
 * ids do not stay ahead of the clock for long (ids made across that jump do not sort by the order
 * they were made).
 */
const ROLLBACK_ALLOWANCE_MS = 10_000;
const SEQ_LIMIT = 0x1000;
const HEX = new TextEncoder().encode('0123456789abcdef');
const text = Buffer.alloc(36, '-'); // the dashes at 8, 13, 18 and 23 stay
text[14] = 0x37; // '7': the version
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
let lastMs = -1;
let seq = 0;

/** Writes `byte` as two hex digits at `at`. */
const hex2 = (at: number, byte: number) => {
  text[at] = HEX[byte >>> 4] as number;
  text[at + 1] = HEX[byte & 15] as number;
};

/** The 48-bit timestamp, into characters 0–7 and 9–12. */
function writeTime(ms: number): void {
  const high = Math.floor(ms / 0x10000); // the upper 32 bits
  hex2(0, high >>> 24);
  hex2(2, (high >>> 16) & 255);
  hex2(4, (high >>> 8) & 255);
  hex2(6, high & 255);
  hex2(9, (ms >>> 8) & 255);
  hex2(11, ms & 255);
}

/** Unique, time-ordered ids (UUIDv7): they sort by creation time, which keeps SQLite indexes append-only. */
export function newId(): string {
  const now = Date.now();
  if (now > lastMs || now < lastMs - ROLLBACK_ALLOWANCE_MS) {
    lastMs = now;
    seq = Math.floor(Math.random() * (SEQ_LIMIT / 2)); // room to count up within the millisecond
    writeTime(now);
  } else if (++seq >= SEQ_LIMIT) {
    lastMs++;
    seq = 0;
    writeTime(lastMs);
  }
  text[15] = HEX[seq >>> 8] as number;
  hex2(16, seq & 255);
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  hex2(19, ((pool[poolAt] as number) & 0x3f) | 0x80); // the variant, 10xx
  hex2(21, pool[poolAt + 1] as number);
  for (let i = 2; i < 8; i++) hex2(20 + 2 * i, pool[poolAt + i] as number);
  poolAt += 8;
  return text.toString('latin1', 0, 36);
}

/** The text every UUIDv7 made at `ms` or later sorts after: its 48-bit millisecond prefix, as the id writes it. */
export function uuidv7Prefix(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}
