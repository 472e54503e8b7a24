import { uuidv7 } from 'uuidv7';

/** Unique, time-ordered ids (UUIDv7): they sort by creation time, which keeps SQLite indexes append-only. */
export const newId = (): string => uuidv7();
