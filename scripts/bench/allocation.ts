import { GCProfiler, getHeapStatistics } from 'node:v8';

/**
 * What the main thread allocates per saga, and what its collector spent on it. Unlike a rate, the bytes
 * allocated per saga hardly move with the machine's load (docs/performance.md), so a change to the hot
 * path's garbage shows up in one run where the rate would need many interleaved ones.
 */
export interface Allocation {
  /** Heap bytes allocated on the main thread (the app and the bench's driver), per saga, in KB. */
  kbPerSaga: number;
  /** Time the main thread spent in collector pauses, per saga. */
  gcPauseUsPerSaga: number;
  scavenges: number;
  /** Mark-compacts (and the incremental-marking steps V8 reports with them). */
  majors: number;
}

/**
 * Starts V8's GC profiler on this thread; the returned function stops it and sums the heap's growth
 * between collections (from the start to the first, from the end of each to the start of the next, from
 * the last to the stop): between two collections the used heap only grows, and only by what was allocated.
 */
export function countAllocation(): (sagas: number) => Allocation {
  const profiler = new GCProfiler();
  profiler.start();
  const usedAtStart = getHeapStatistics().used_heap_size;
  return (sagas) => {
    const usedAtStop = getHeapStatistics().used_heap_size;
    const { statistics } = profiler.stop();
    let allocated = 0;
    let pauseUs = 0;
    let scavenges = 0;
    let majors = 0;
    let usedAfterLast = usedAtStart;
    for (const gc of statistics) {
      allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - usedAfterLast);
      usedAfterLast = gc.afterGC.heapStatistics.usedHeapSize;
      pauseUs += gc.cost;
      if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep') scavenges++;
      else majors++;
    }
    allocated += Math.max(0, usedAtStop - usedAfterLast);
    const n = Math.max(1, sagas);
    return { kbPerSaga: allocated / 1024 / n, gcPauseUsPerSaga: pauseUs / n, scavenges, majors };
  };
}
