import { describe, expect, it } from 'vitest';
import type { ProcessSample } from './process-sample';
import { judge } from './verdict';

const sample = (i: number, over: Partial<ProcessSample> = {}): ProcessSample => ({
  atMs: i * 60_000,
  rssMb: 200,
  rssAnonMb: 150,
  heapUsedMb: 20,
  fds: 60,
  walMb: { reservation: 4 },
  dataMb: 100,
  eventLoopDelayMs: { p50: 0.1, p99: 2, max: 5 },
  ...over,
});
const run = (n: number, at: (i: number) => Partial<ProcessSample> = () => ({})) => Array.from({ length: n }, (_, i) => sample(i + 1, at(i)));

describe('the soak verdict', () => {
  it('passes a flat run, measuring from the end of warm-up (a fast climb while caches fill is not growth)', () => {
    const v = judge(run(30, (i) => ({ rssMb: i < 6 ? 100 + 20 * i : 205 + (i % 3) })));
    expect(v).toMatchObject({ conclusive: true, warmUpSamples: 6, ok: true, memory: { flat: true }, fds: { flat: true } });
  });

  it('fails growth of 10% or more in the resident set or in the heap after GC', () => {
    expect(judge(run(30, (i) => ({ rssMb: 200 + 2 * i }))).memory).toMatchObject({ flat: false, rss: { flat: false }, heapUsed: { flat: true } });
    const heap = judge(run(30, (i) => ({ heapUsedMb: 20 + 0.2 * i })));
    expect(heap).toMatchObject({ ok: false, memory: { heapUsed: { flat: false } } });
    expect(heap.memory.heapUsed.growth).toBeGreaterThan(0.1);
  });

  it('fails a descriptor count that keeps climbing, not one that wobbles within its allowance', () => {
    expect(judge(run(30, (i) => ({ fds: 60 + i }))).fds.flat).toBe(false);
    expect(judge(run(30, (i) => ({ fds: 60 + (i % 3) }))).fds.flat).toBe(true);
  });

  it('calls a run too short to judge inconclusive, and does not fail it', () => {
    expect(judge(run(3, (i) => ({ rssMb: 100 * (i + 1) })))).toMatchObject({ conclusive: false, ok: true });
  });
});
