import { prng } from '../simulation/simulator';

export const FAULT_KINDS = ['kill-reservation', 'kill-payment', 'broker-restart', 'network-cut', 'provider-outage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault of the plan: at `atMs` after the load started, for `forMs` (down time, cut, outage). */
export interface PlannedFault {
  atMs: number;
  kind: FaultKind;
  forMs: number;
}

/** How long each kind lasts, and what its healing usually takes on top (a process boots in ~3 s here). */
const SHAPE: Record<FaultKind, { minMs: number; maxMs: number; healMs: number }> = {
  'kill-reservation': { minMs: 0, maxMs: 3_000, healMs: 3_000 },
  'kill-payment': { minMs: 0, maxMs: 3_000, healMs: 3_000 },
  'broker-restart': { minMs: 1_000, maxMs: 6_000, healMs: 2_000 },
  'network-cut': { minMs: 1_000, maxMs: 6_000, healMs: 0 },
  'provider-outage': { minMs: 1_000, maxMs: 6_000, healMs: 0 },
};
const FIRST_AT_MS = 3_000;
const GAP_MS = { min: 1_000, max: 8_000 };
/** The last fault must be over this long before the load stops. */
const TAIL_MS = 2_000;

/** Runs shorter than this get proportionally shorter faults and gaps (down to a quarter), so a one-minute run meets every kind. */
const FULL_SCALE_MS = 120_000;

/**
 * The fault plan of a run: a function of the seed and the length alone, so `--seed` replays it. The
 * first five faults are the five kinds in a seeded order (a short run meets each once), then kinds are
 * drawn at random. Gaps are short on purpose: a fault often lands before the last one has healed.
 */
export function planFaults(seed: number, durationMs: number): PlannedFault[] {
  const rng = prng(seed);
  const scale = Math.min(1, Math.max(0.25, durationMs / FULL_SCALE_MS));
  const between = (lo: number, hi: number) => Math.round(scale * (lo + rng() * (hi - lo)));
  const firstRound: FaultKind[] = [...FAULT_KINDS];
  for (let i = firstRound.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [firstRound[i], firstRound[j]] = [firstRound[j] as FaultKind, firstRound[i] as FaultKind];
  }
  const plan: PlannedFault[] = [];
  let at = FIRST_AT_MS;
  for (let i = 0; ; i++) {
    const kind = firstRound[i] ?? (FAULT_KINDS[Math.floor(rng() * FAULT_KINDS.length)] as FaultKind);
    const shape = SHAPE[kind];
    const forMs = between(shape.minMs, shape.maxMs);
    if (at + forMs + shape.healMs > durationMs - TAIL_MS) break;
    plan.push({ atMs: at, kind, forMs });
    at += forMs + shape.healMs + between(GAP_MS.min, GAP_MS.max);
  }
  return plan;
}

/** The plan as lines for the run's log: replaying the same seed prints the same lines. */
export function describePlan(plan: readonly PlannedFault[]): string[] {
  return plan.map((f, i) => `${String(i + 1).padStart(3)}  t+${(f.atMs / 1000).toFixed(1).padStart(6)} s  ${f.kind.padEnd(16)} for ${(f.forMs / 1000).toFixed(1)} s`);
}
