/**
 * The bench's throughput loop on its own, for comparing two versions of the code in turns (a run takes a few
 * seconds, so ten pairs fit in a few minutes): 2,000 warm-up sagas, then `--n` with `--in-flight` begun and not
 * ended, the bench's inputs, fresh files. Prints one line: sagas/s, CPU per saga per thread (scripts/bench/
 * thread-cpu.ts) with which limit held the rate, and the main thread's allocation and collector pauses.
 *
 *   npx tsx --max-semi-space-size=64 --v8-pool-size=1 scripts/throughput-probe.ts [--n 20000] [--in-flight 2048] [--tag name]
 *
 * How docs/performance.md uses it: check out the other version in a git worktree (`git worktree add /tmp/base
 * <commit>`, node_modules linked), then run the two in turns, one line each, several pairs.
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { tempDir } from '../src/bus/testing/temp-dir';
import { buildApp } from '../src/compose';
import { loadConfig } from '../src/config';
import { ReservationCancelled, ReservationConfirmed } from '../src/modules/reservation/contracts/events';
import { silentLogger } from '../src/platform/logger';
import { countAllocation } from './bench/allocation';
import { createInFlight, IN_FLIGHT } from './bench/saga-load';
import { countThreadCpu, describeLimit } from './bench/thread-cpu';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' }, 'in-flight': { type: 'string', default: String(IN_FLIGHT) }, tag: { type: 'string', default: '' } } });
const parsed = z.object({ n: z.coerce.number().int().min(1), 'in-flight': z.coerce.number().int().min(256), tag: z.string() }).safeParse(values);
if (!parsed.success) {
  process.stderr.write(`invalid option: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const { n: N, 'in-flight': inFlight, tag } = parsed.data;

const dir = tempDir('throughput-probe-');
const app = buildApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PAYMENT_DEADLINE_MS: '3600000' }), { logger: silentLogger });
let ended = 0;
let waiter: { n: number; resolve: () => void } | null = null;
app.bus.subscribe(
  'throughput-probe',
  [ReservationConfirmed, ReservationCancelled],
  () => {
    ended++;
    if (waiter && ended >= waiter.n) waiter.resolve();
  },
  { leaf: true },
);
await app.start();
const allEnded = (n: number) => (ended >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve })));

/** `n` sagas the bench's way, after those ended already. */
async function run(n: number): Promise<void> {
  const base = ended;
  await createInFlight(n, (i) => app.reservation.create(i), (k) => allEnded(base + k), { inFlight });
}

await run(2_000);
const cpu = countThreadCpu();
const allocation = countAllocation();
const elu = performance.eventLoopUtilization();
const t0 = performance.now();
await run(N);
const seconds = (performance.now() - t0) / 1000;
const c = cpu(N);
const a = allocation(N);
const busy = performance.eventLoopUtilization(elu).utilization; // printed only where /proc is missing (describeLimit has it otherwise)
const threads = c
  ? `CPU ${c.usPerSaga.toFixed(1)} µs/saga (main ${c.mainUsPerSaga.toFixed(1)}, busiest other ${c.busiestOtherUsPerSaga.toFixed(1)}, rest ${c.restUsPerSaga.toFixed(1)}) on ${c.coresUsed.toFixed(2)} cores; held by ${describeLimit(c)}`
  : 'CPU per thread: no /proc here';
console.log(`${tag ? `${tag} ` : ''}${Math.round(N / seconds)} sagas/s; ${threads}; main thread: ${a.kbPerSaga.toFixed(1)} KB allocated, ${a.gcPauseUsPerSaga.toFixed(1)} µs in collector pauses per saga${c ? '' : `, event loop ${busy.toFixed(2)} busy`}`);
await app.stop();
rmSync(dir, { recursive: true, force: true });
