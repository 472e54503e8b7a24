import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindingLimit, countThreadCpu, describeLimit } from '../../scripts/bench/thread-cpu';

const on2 = (mainEventLoopUtilization: number, coresUsed: number, busiestOtherCoresUsed = 0.5) => bindingLimit({ mainEventLoopUtilization, coresUsed, busiestOtherCoresUsed, cores: 2 });

describe("the bench's CPU per thread and what held the rate", () => {
  it('names the main thread when its event loop never waited and the cores had room', () => {
    expect(on2(1, 1.57)).toBe('main');
    expect(on2(0.95, 1.79)).toBe('main'); // both thresholds: a loop 0.95 busy binds; 1.79 of 2 cores is not all of them
  });

  it('names the cores when the threads together used them all, and both when both held', () => {
    expect(on2(0.94, 1.8)).toBe('cores');
    expect(on2(0.99, 1.82)).toBe('both');
  });

  it('names another thread when it used a whole core and neither limit held', () => {
    expect(on2(0.6, 1.6, 0.97)).toBe('other-thread');
  });

  it('says neither when the run waited on something else, and judges a machine of no cores as one', () => {
    expect(on2(0.6, 1.1)).toBe('neither');
    expect(bindingLimit({ mainEventLoopUtilization: 0.5, coresUsed: 0.5, busiestOtherCoresUsed: 0.1, cores: 0 })).toBe('neither');
  });

  it('says the limit in words, with the figures it was judged on', () => {
    const words = describeLimit({ binds: 'main', mainEventLoopUtilization: 1, mainCoresUsed: 0.91, mainWaitedForCore: 0.06, coresUsed: 1.73, cores: 2 });
    expect(words).toBe('the main thread (main event loop busy 1.00, main thread on a core 0.91 of the time, waiting for one 0.06; 1.73 of 2 cores used)');
    // Without schedstat the wait is left out, not shown as zero.
    expect(describeLimit({ binds: 'cores', mainEventLoopUtilization: 0.9, mainCoresUsed: 0.8, mainWaitedForCore: null, coresUsed: 1.9, cores: 2 })).toBe(
      'the cores (main event loop busy 0.90, main thread on a core 0.80 of the time; 1.90 of 2 cores used)',
    );
  });

  it.runIf(existsSync('/proc/self/task'))("counts this thread's busy event loop as saturated", () => {
    const used = countThreadCpu();
    const until = performance.now() + 30;
    while (performance.now() < until); // no poll phase between the two readings: utilization 1
    const c = used(1);
    expect(c?.mainEventLoopUtilization).toBeGreaterThan(0.95);
    expect(c?.binds === 'main' || c?.binds === 'both').toBe(true);
    if (existsSync(`/proc/self/task/${process.pid}/schedstat`)) expect(c?.mainWaitedForCore).toBeGreaterThanOrEqual(0);
  });
});
