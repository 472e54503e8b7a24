import { describe, expect, it } from 'vitest';
import { simulate, type SimMode } from './simulator';

const SEEDS = Number(process.env.SIM_SEEDS ?? 200);
const FIRST = Number(process.env.SIM_FIRST_SEED ?? 1);
/** Seeds that reach the late-capture race (2, 180 caught a mutation that dropped its refund; 1219, in orchestration, a capture whose answer was lost after the refund had looked): kept forever. */
const REGRESSIONS: number[] = [2, 180, 1219];

describe.each<SimMode>(['choreography', 'orchestration'])('seeded fault simulation (%s)', (mode) => {
  it('is deterministic: the same seed gives the same run', async () => {
    const a = await simulate(4242, 60, mode);
    const b = await simulate(4242, 60, mode);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it(`keeps every invariant over ${SEEDS} seeded schedules`, async () => {
    const failures: string[] = [];
    for (const seed of [...REGRESSIONS, ...Array.from({ length: SEEDS }, (_, i) => FIRST + i)]) {
      const r = await simulate(seed, 60, mode);
      if (r.violations.length > 0) {
        failures.push(`seed ${seed}: ${r.violations.join('; ')}\n  replay: npm run simulate -- --mode ${mode} --seed ${seed}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
