import { randomUUID } from 'node:crypto';

/*
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of sequence, the RFC variant and
 * 62 random bits. Written here rather than through a library: the hot path makes about ten ids per
 * saga, and formatting each id's bytes into text one character at a time was ~8% of everything the
 * process allocated. The random part comes from `crypto.randomUUID()` (Node keeps a buffer of secure
 * random bytes for it), whose text after the version field is already laid out as a v7's is.
 *
 * Ids made in one process sort in the order they were made: within a millisecond the 12-bit sequence
 * counts up from a random start (RFC 9562, method 1); when it runs out, the timestamp moves on by one,
 * so an id never sorts before an earlier one. A clock that steps back a little (up to 10 s, as the
 * `uuidv7` package this replaced allowed) is ridden out the same way; one that steps back further is
 * followed, so ids do not stay ahead of the clock for long (ids made across that jump do not sort by
 * the order they were made).
 */
const ROLLBACK_ALLOWANCE_MS = 10_000;
const SEQ_LIMIT = 0x1000;
const SEQ_HEX = Array.from({ length: SEQ_LIMIT }, (_, i) => i.toString(16).padStart(3, '0'));
let lastMs = -1;
let seq = 0;
/** `tttttttt-tttt-7` for `lastMs`. */
let head = '';

const headFor = (ms: number): string => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
};

/** Unique, time-ordered ids (UUIDv7): they sort by creation time, which keeps SQLite indexes append-only. */
export function newId(): string {
  const now = Date.now();
  if (now > lastMs || now < lastMs - ROLLBACK_ALLOWANCE_MS) {
    lastMs = now;
    seq = Math.floor(Math.random() * (SEQ_LIMIT / 2)); // room to count up within the millisecond
    head = headFor(now);
  } else if (++seq >= SEQ_LIMIT) {
    lastMs++;
    seq = 0;
    head = headFor(lastMs);
  }
  // randomUUID(): 'xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx'; from index 18 on ('-Vxxx-…', V the RFC variant) it is ours.
  return head + SEQ_HEX[seq] + randomUUID().slice(18);
}

/** The text every UUIDv7 made at `ms` or later sorts after: its 48-bit millisecond prefix, as the id writes it. */
export function uuidv7Prefix(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}
