import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { ascending, quantile } from './quantile';

/** Pauses of the main thread's garbage collector during one latency round, and how many of the slowest sagas overlapped one. */
export interface GcPauses {
  /** Young-generation collections (scavenges): how many, their 90th percentile and longest pause. */
  minor: { count: number; p90Ms: number; maxMs: number };
  /** Old-generation collections: mark-compact pauses, and the steps that start incremental marking. */
  major: { count: number; p90Ms: number; maxMs: number };
  /** Of the slowest 1% of sagas, the share whose create→terminal interval holds a pause of at least 2 ms. */
  slowestWithPause: number;
  /** The same share over all sagas: a baseline (a longer interval overlaps a pause by chance more often). */
  allWithPause: number;
}

/** A pause this long is one a saga measured in milliseconds can see. */
const VISIBLE_MS = 2;

const summary = (ms: number[]) => {
  const s = ascending(ms);
  return { count: s.length, p90Ms: quantile(s, 0.9), maxMs: s.at(-1) ?? 0 };
};

/**
 * Records the collector's pauses (`PerformanceObserver` of type `gc`, on this thread only) from now on.
 * `stop` takes each saga's [start, end] on the same clock (performance.now) and attributes the tail.
 */
export function watchGcPauses(): { stop(sagas: ReadonlyArray<{ start: number; end: number }>): GcPauses } {
  const pauses: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => void pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop(sagas) {
      pauses.push(...observer.takeRecords()); // entries are delivered a tick late: keep the last turn's
      observer.disconnect();
      const kind = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      const minor = pauses.filter((e) => kind(e) === constants.NODE_PERFORMANCE_GC_MINOR);
      const major = pauses.filter((e) => kind(e) === constants.NODE_PERFORMANCE_GC_MAJOR || kind(e) === constants.NODE_PERFORMANCE_GC_INCREMENTAL);
      const visible = pauses.filter((e) => e.duration >= VISIBLE_MS);
      const slowest = [...sagas].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, Math.max(1, Math.floor(sagas.length / 100)));
      const share = (xs: ReadonlyArray<{ start: number; end: number }>) =>
        xs.length === 0 ? 0 : xs.filter((s) => visible.some((p) => p.startTime < s.end && p.startTime + p.duration > s.start)).length / xs.length;
      return { minor: summary(minor.map((e) => e.duration)), major: summary(major.map((e) => e.duration)), slowestWithPause: share(slowest), allWithPause: share(sagas) };
    },
  };
}
