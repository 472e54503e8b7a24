import type { SoakReport, SoakRow } from './run-soak';
import type { Trend } from './verdict';

const f = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export const SOAK_HEADER = '| min | sagas ended | sagas/s | backlog | RSS MB (anon) | heap MB after GC | fds | WAL MB | data MB | loop delay p50 / p99 / max ms |';

/** One Markdown table row (the README shows the table as printed). */
export function formatRow(r: SoakRow): string {
  const wal = Object.entries(r.walMb).map(([db, size]) => `${db} ${f(size, 1)}`).join(', ');
  const d = r.eventLoopDelayMs;
  return `| ${f(r.atMs / 60_000, 1)} | ${f(r.sagasEnded)} | ${f(r.sagasPerSec)} | ${f(r.backlog)} | ${f(r.rssMb)} (${f(r.rssAnonMb)}) | ${f(r.heapUsedMb, 1)} | ${r.fds} | ${wal} | ${f(r.dataMb)} | ${f(d.p50, 1)} / ${f(d.p99, 1)} / ${f(d.max, 1)} |`;
}

const trend = (name: string, t: Trend, unit: string) =>
  `${name}: ${f(t.baseline, 1)} → ${f(t.final, 1)} ${unit} (${t.growth >= 0 ? '+' : ''}${f(t.growth * 100, 1)}%) ${t.flat ? 'flat' : 'GROWING'}`;

/** The lines after the table: rates, then the verdict with the figures it was reached on. */
export function formatSummary(r: SoakReport): string[] {
  const v = r.verdict;
  return [
    r.peak ? `peak (closed loop, ${f(r.peak.seconds, 1)} s): ${f(r.peak.sagasPerSec)} sagas/s; soak rate ${f(r.ratePerSec)} sagas/s (half)` : `soak rate ${f(r.ratePerSec)} sagas/s (--rate)`,
    `failed creates: ${r.failedCreates}`,
    v.conclusive ? `verdict after warm-up (the first ${v.warmUpSamples} rows):` : `verdict: too short to judge (${r.rows.length} rows; the first ${v.warmUpSamples} are warm-up, 3 more are needed)`,
    `  ${trend('RSS', v.memory.rss, 'MB')}`,
    `  ${trend('heap after GC', v.memory.heapUsed, 'MB')}`,
    `  ${trend('open descriptors', v.fds, '')}`,
    `memory flat: ${v.memory.flat ? 'yes' : 'NO'}; descriptors flat: ${v.fds.flat ? 'yes' : 'NO'}${v.conclusive ? '' : ' (inconclusive)'}`,
  ];
}
