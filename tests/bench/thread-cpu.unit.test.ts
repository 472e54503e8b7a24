import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindingLimit, countThreadCpu } from '../../scripts/bench/thread-cpu';

describe("the bench's CPU per thread and what held the rate", () => {
  it('names the main thread when its event loop never waited and the cores had room', () => {
    expect(bindingLimit(1, 1.57, 2)).toBe('the main thread');
  });

  it('names the cores when the threads together used them all, and both when both held', () => {
    expect(bindingLimit(0.8, 1.9, 2)).toBe('the cores');
    expect(bindingLimit(0.99, 1.82, 2)).toBe('the main thread and the cores');
  });

  it('says the run waited when neither limit was reached', () => {
    expect(bindingLimit(0.6, 1.1, 2)).toBe('neither: the run waited (disk, commits, the load)');
  });

  it.runIf(existsSync('/proc/self/task'))("counts this thread's busy event loop as saturated", () => {
    const used = countThreadCpu();
    const until = performance.now() + 30;
    while (performance.now() < until); // the event loop never gets a turn: utilization 1
    const c = used(1);
    expect(c?.mainBusy).toBeGreaterThan(0.95);
    expect(c?.binds).toMatch(/^the main thread/);
  });
});
