import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { IntervalHistogram } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One row of the soak's table: what the process holds at one instant, and the event loop since the last row. */
export interface ProcessSample {
  atMs: number;
  rssMb: number;
  /** Of which private (anonymous) memory; the rest is mapped database files and shared memory. */
  rssAnonMb: number;
  /** After a full GC: what is still reachable, not what the collector has not got round to yet. */
  heapUsedMb: number;
  fds: number;
  /** Bytes of each `*.db-wal` in the data folder, by database name. */
  walMb: Record<string, number>;
  /** Every file in the data folder together (the databases grow with the sagas they keep). */
  dataMb: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

// A full collection on demand, without asking for --expose-gc on the command line (npm run soak runs plain tsx).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const mb = (bytes: number) => bytes / 1024 / 1024;
const ms = (ns: number) => ns / 1e6;

/** Open descriptors of this process (Linux: the entries of /proc/self/fd). */
export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * The resident set's private part (RssAnon: heaps, SQLite's page caches, buffers), apart from the pages
 * of memory-mapped database files (SQLite's mmap reads, which the kernel may drop at will).
 */
function residentAnonMb(): number {
  const kb = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

function folderMb(dataDir: string): number {
  return mb(readdirSync(dataDir).reduce((sum, name) => sum + statSync(join(dataDir, name)).size, 0));
}

function walSizes(dataDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dataDir).filter((n) => n.endsWith('.db-wal')).sort()) {
    out[basename(name, '.db-wal')] = mb(statSync(join(dataDir, name)).size);
  }
  return out;
}

/** Resolution of the event-loop histogram; its readings include this interval, so it is taken off. */
export const LOOP_RESOLUTION_MS = 10;

/** Takes one sample and resets the event-loop histogram, so each row shows its own interval. */
export function sampleProcess(dataDir: string, loop: IntervalHistogram, atMs: number): ProcessSample {
  const late = (ns: number) => Math.max(0, ms(ns) - LOOP_RESOLUTION_MS);
  const eventLoopDelayMs = { p50: late(loop.percentile(50)), p99: late(loop.percentile(99)), max: late(loop.max) };
  gc();
  const sample = { atMs, rssMb: mb(process.memoryUsage().rss), rssAnonMb: residentAnonMb(), heapUsedMb: mb(process.memoryUsage().heapUsed), fds: openDescriptors(), walMb: walSizes(dataDir), dataMb: folderMb(dataDir), eventLoopDelayMs };
  loop.reset(); // the collection just forced is not the app's delay
  return sample;
}
