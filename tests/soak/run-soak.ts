import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOOP_RESOLUTION_MS, sampleProcess, type ProcessSample } from './process-sample';
import { startSoakApp } from './soak-app';
import { soakOptionsSchema, type SoakInput, type SoakOptions } from './soak-options';
import { judge, type SoakVerdict } from './verdict';

export interface SoakRow extends ProcessSample {
  sagasEnded: number;
  /** Sagas ended per second since the previous row. */
  sagasPerSec: number;
  /** Created but not ended yet: a rate the app cannot keep up with shows here first. */
  backlog: number;
}

export interface SoakReport {
  options: SoakOptions;
  peak: { sagasPerSec: number; seconds: number } | null;
  ratePerSec: number;
  rows: SoakRow[];
  failedCreates: number;
  verdict: SoakVerdict;
}

const TICK_MS = 5;

/** The closed-loop peak: batches of 256 creates for `seconds`, on its own app and files (removed after). */
async function measurePeak(seconds: number): Promise<{ sagasPerSec: number; seconds: number }> {
  const s = await startSoakApp();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const batch: Array<Promise<unknown>> = [];
    for (let k = 0; k < 256; k++) batch.push(s.create());
    await Promise.all(batch);
  }
  await s.app.settled();
  const elapsed = (performance.now() - t0) / 1000;
  const sagasPerSec = s.ended / elapsed;
  await s.stop();
  return { sagasPerSec, seconds: elapsed };
}

/**
 * The soak: the app in this process at a steady open-loop rate (half the measured peak unless `rate`
 * is given) for `minutes`, one row per `sampleMs` (memory after GC, descriptors, WAL sizes, event-loop
 * delay), then the verdict on memory and descriptors. `onRow` sees each row as it is taken.
 */
export async function runSoak(input: SoakInput, onRow: (row: SoakRow) => void = () => undefined, say: (line: string) => void = () => undefined): Promise<SoakReport> {
  const options = soakOptionsSchema.parse(input);
  let peak: SoakReport['peak'] = null;
  if (options.rate === undefined) {
    say(`measuring the peak: ${options.peakSeconds} s closed loop…`);
    peak = await measurePeak(options.peakSeconds);
  }
  const ratePerSec = options.rate ?? Math.max(1, Math.round((peak?.sagasPerSec ?? 2) / 2));
  say(`soak: ${ratePerSec} sagas/s for ${options.minutes} min, a row every ${options.sampleMs / 1000} s`);
  const s = await startSoakApp();
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const rows: SoakRow[] = [];
  const t0 = performance.now();
  const durationMs = options.minutes * 60_000;
  // Open loop: creates are due on the clock, whether earlier sagas have ended or not.
  const ticker = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * ratePerSec);
    while (s.created < due) void s.create();
  }, TICK_MS);
  let lastEnded = 0;
  let lastAt = 0;
  try {
    for (let next = options.sampleMs; next <= durationMs; next += options.sampleMs) {
      await sleep(Math.max(0, next - (performance.now() - t0)));
      const atMs = performance.now() - t0;
      const ended = s.ended;
      const row = { ...sampleProcess(s.dataDir, loop, atMs), sagasEnded: ended, sagasPerSec: ((ended - lastEnded) * 1000) / (atMs - lastAt), backlog: s.created - ended };
      [lastEnded, lastAt] = [ended, atMs];
      rows.push(row);
      onRow(row);
    }
  } finally {
    clearInterval(ticker);
    loop.disable();
    await s.app.settled();
    await s.stop();
  }
  return { options, peak, ratePerSec, rows, failedCreates: s.failed, verdict: judge(rows) };
}
