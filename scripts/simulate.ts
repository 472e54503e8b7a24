/**
 * `npm run simulate -- [--mode orchestration] --seeds 10000` runs many seeded fault schedules and reports coverage and any
 * invariant violation; `--seed N` replays one schedule and prints its trace.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { simulate, type SimMode } from '../tests/simulation/simulator';

const { values } = parseArgs({
  options: { mode: { type: 'string', default: 'choreography' }, seeds: { type: 'string', default: '1000' }, seed: { type: 'string' }, first: { type: 'string', default: '1' }, steps: { type: 'string', default: '60' } },
});
const steps = Number(values.steps);
if (values.mode !== 'choreography' && values.mode !== 'orchestration') {
  console.error(`--mode ${values.mode} is not a saga mode; use choreography or orchestration`);
  process.exit(2);
}
const mode: SimMode = values.mode;

if (values.seed !== undefined) {
  const r = await simulate(Number(values.seed), steps, mode);
  const { trace } = JSON.parse(r.fingerprint) as { trace: string[] };
  console.log(trace.map((t, i) => `${String(i).padStart(3)} ${t}`).join('\n'));
  console.log(r.violations.length ? `VIOLATIONS:\n${r.violations.join('\n')}` : 'all invariants hold');
  process.exit(r.violations.length ? 1 : 0);
}

const n = Number(values.seeds);
const first = Number(values.first);
const actions: Record<string, number> = {};
let faults = 0;
let reservations = 0;
const failed: string[] = [];
const started = Date.now();
for (let seed = first; seed < first + n; seed++) {
  const r = await simulate(seed, steps, mode);
  for (const [a, c] of Object.entries(r.actions)) actions[a] = (actions[a] ?? 0) + c;
  faults += r.faults;
  reservations += r.reservations;
  if (r.violations.length) failed.push(`seed ${seed}: ${r.violations.join('; ')}  (replay: npm run simulate -- --mode ${mode} --seed ${seed})`);
  if ((seed - first + 1) % 500 === 0) console.error(`… ${seed - first + 1}/${n} schedules`);
}
console.log(`mode: ${mode}`);
console.log(`schedules: ${n} (seeds ${first}..${first + n - 1}), steps: ${n * steps}, reservations: ${reservations}, faults injected: ${faults}`);
console.log(`actions: ${Object.entries(actions).sort().map(([a, c]) => `${a}=${c}`).join(' ')}`);
console.log(`time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(failed.length ? `INVARIANT VIOLATIONS in ${failed.length} schedules:\n${failed.join('\n')}` : 'invariant violations: 0');
process.exit(failed.length ? 1 : 0);
