import { describe, expect, it } from 'vitest';
import { simulate } from './simulator';

const SEEDS = Number(process.env.SIM_SEEDS ?? 300);
const FIRST = Number(process.env.SIM_FIRST_SEED ?? 1);
/** Seeds that reach the late-capture race (they caught a mutation that dropped its refund): kept forever. */
const REGRESSIONS: number[] = [2, 180];

describe('seeded fault simulation', () => {
  it('is deterministic: the same seed gives the same run', async () => {
    const a = await simulate(4242);
    const b = await simulate(4242);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it(`keeps every invariant over ${SEEDS} seeded schedules`, async () => {
    const failures: string[] = [];
    for (const seed of [...REGRESSIONS, ...Array.from({ length: SEEDS }, (_, i) => FIRST + i)]) {
      const r = await simulate(seed);
      if (r.violations.length > 0) {
        failures.push(`seed ${seed}: ${r.violations.join('; ')}\n  replay: npm run simulate -- --seed ${seed}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
