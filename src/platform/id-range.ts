/**
 * The upper end of an id range that has none: above every id this app makes (UUIDv7, ASCII) or accepts.
 * Range reads pass it instead of writing `(? IS NULL OR id <= ?)`, which keeps SQLite from using the
 * index for the range: every page of the auditor then scanned the whole table (found by the soak).
 */
export const OPEN_END = '\uffff';

export const upperBound = (upTo: string | null): string => upTo ?? OPEN_END;
