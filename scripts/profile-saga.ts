/** `node --cpu-prof --import tsx scripts/profile-saga.ts 20000`: the throughput part of the bench alone, for a CPU profile. */
import 'reflect-metadata';
import { tempDir } from '../src/bus/testing/temp-dir';
import { loadConfig } from '../src/config';
import { buildApp } from '../src/compose';
import { ReservationCancelled, ReservationConfirmed } from '../src/modules/reservation/contracts/events';
import { silentLogger } from '../src/platform/logger';

const N = Number(process.argv[2] ?? 20000);
const app = buildApp(loadConfig({ DATA_DIR: tempDir('prof-'), LOG_LEVEL: 'silent', PAYMENT_DEADLINE_MS: '3600000' }), { logger: silentLogger });
let done = 0;
let resolve!: () => void;
const all = new Promise<void>((r) => (resolve = r));
app.bus.subscribe('probe', [ReservationConfirmed, ReservationCancelled], () => {
  if (++done === N) resolve();
});
await app.start();
const t0 = performance.now();
for (let i = 0; i < N; i += 256) {
  const batch: Array<Promise<unknown>> = [];
  for (let k = i; k < Math.min(N, i + 256); k++)
    batch.push(app.reservation.create({ customerId: `c${k % 100}`, resourceId: `r${k}`, startsAt: '2031-01-01T10:00:00Z', endsAt: '2031-01-01T11:00:00Z', amount: 1000, currency: 'EUR', paymentToken: k % 10 === 9 ? 'tok_decline' : 'tok_ok' }));
  await Promise.all(batch);
}
await all;
const s = (performance.now() - t0) / 1000;
console.log(`${N} sagas in ${s.toFixed(2)} s: ${Math.round(N / s)}/s`);
await app.stop();
