import type { ProcessSample } from './process-sample';

/** Growth allowed after warm-up: 10% for memory; for descriptors, 5% or 3, whichever is more. */
export const MEMORY_GROWTH_LIMIT = 0.1;
const FD_GROWTH = { ratio: 0.05, atLeast: 3 };
/** The first fifth of the run is warm-up (caches fill, the JIT settles): growth is measured from its end. */
const WARM_UP_SHARE = 0.2;
/** Fewer samples than this after warm-up cannot tell a trend from noise. */
const MIN_JUDGED_SAMPLES = 3;

export interface Trend {
  baseline: number;
  final: number;
  growth: number;
  flat: boolean;
}

export interface SoakVerdict {
  /** False when the run was too short to judge; it then passes (nothing is known to be wrong). */
  conclusive: boolean;
  warmUpSamples: number;
  memory: { flat: boolean; rss: Trend; heapUsed: Trend };
  fds: Trend;
  ok: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;

/**
 * Memory is flat when neither the resident set nor the heap after GC grew by 10% or more from the end
 * of warm-up to the end of the run; descriptors when their count did not grow past the allowance.
 * The end is the median of the last three samples, so one sample caught mid-burst decides nothing.
 */
export function judge(samples: readonly ProcessSample[]): SoakVerdict {
  const warmUpSamples = Math.max(1, Math.ceil(samples.length * WARM_UP_SHARE));
  const judged = samples.slice(warmUpSamples);
  const conclusive = judged.length >= MIN_JUDGED_SAMPLES;
  const trend = (pick: (s: ProcessSample) => number, withinLimit: (grew: number, baseline: number) => boolean): Trend => {
    if (judged.length === 0) return { baseline: 0, final: 0, growth: 0, flat: true };
    const baseline = pick(judged[0] as ProcessSample);
    const final = median(judged.slice(-3).map(pick));
    const growth = baseline > 0 ? (final - baseline) / baseline : 0;
    return { baseline, final, growth, flat: !conclusive || withinLimit(final - baseline, baseline) };
  };
  const memoryLimit = (grew: number, b: number) => grew < b * MEMORY_GROWTH_LIMIT;
  const rss = trend((s) => s.rssMb, memoryLimit);
  const heapUsed = trend((s) => s.heapUsedMb, memoryLimit);
  const fds = trend((s) => s.fds, (grew, b) => grew <= Math.max(FD_GROWTH.atLeast, b * FD_GROWTH.ratio));
  const memory = { flat: rss.flat && heapUsed.flat, rss, heapUsed };
  return { conclusive, warmUpSamples, memory, fds, ok: memory.flat && fds.flat };
}
