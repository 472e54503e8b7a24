/** The value at quantile `p` (0..1) of numbers sorted ascending: the bench's one convention; 0 for none. */
export const quantile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** Sorted ascending, as a copy. */
export const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** The middle value (the lower of the two middle ones for an even count), as the bench's rounds are compared. */
export const median = (xs: readonly number[]): number => ascending(xs)[Math.floor((xs.length - 1) / 2)] ?? 0;
