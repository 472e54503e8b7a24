import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPU time per thread of this process, read from /proc (Linux): where a run's CPU went across both
 * cores. The bench's throughput figure alone cannot say whether the second core was idle or busy.
 * Node names none of its threads, so they are told apart by role: the main thread (its id is the
 * process id), the busiest other thread (the writer thread in the app's defaults), and the rest
 * (the checkpoint worker, V8's garbage-collector helpers, libuv's pool).
 */
export interface ThreadCpu {
  /** Cores busy on average over the run (process CPU seconds / wall seconds). */
  coresUsed: number;
  /** Process CPU per saga, all threads. */
  usPerSaga: number;
  mainUsPerSaga: number;
  busiestOtherUsPerSaga: number;
  restUsPerSaga: number;
  /** The main thread's event-loop utilization over the run (1: it never waited for I/O or a timer). */
  mainBusy: number;
  /** Which of the two limits of a closed-loop run the rate met (see `bindingLimit`). */
  binds: BindingLimit;
}

export type BindingLimit = 'the main thread' | 'the cores' | 'the main thread and the cores' | 'neither: the run waited (disk, commits, the load)';

/** A main thread this busy is taken to be saturated: its event loop found nothing to wait for. */
const SATURATED_MAIN = 0.95;
/** A process using this share of the machine's cores is taken to have them all busy (the OS and other processes need some). */
const SATURATED_CORES = 0.9;

/**
 * Which limit held the rate of a closed-loop run: the main thread (its event loop never idle), the cores
 * (the process's threads together used them all), both, or neither (the run waited on something else).
 * Work moved off the main thread raises the rate only when the cores do not bind too; only less CPU per
 * saga over all threads raises it when they do (docs/performance.md, "What 5× would take").
 */
export function bindingLimit(mainBusy: number, coresUsed: number, cores: number): BindingLimit {
  const main = mainBusy >= SATURATED_MAIN;
  const all = coresUsed >= SATURATED_CORES * cores;
  if (main && all) return 'the main thread and the cores';
  if (main) return 'the main thread';
  if (all) return 'the cores';
  return 'neither: the run waited (disk, commits, the load)';
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux build Node supports). */
const TICKS_PER_SECOND = 100;

type Sample = Map<number, number>;

function sample(): Sample | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null; // not Linux: the figure is left out
  }
  const seconds: Sample = new Map();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return seconds;
}

/** Starts counting; the returned function ends the count for `sagas` sagas (null where /proc is missing). */
export function countThreadCpu(): (sagas: number) => ThreadCpu | null {
  const before = sample();
  const t0 = performance.now();
  const elu = performance.eventLoopUtilization();
  return (sagas) => {
    const after = sample();
    const mainBusy = performance.eventLoopUtilization(elu).utilization;
    if (!before || !after || sagas <= 0) return null;
    const wallSeconds = (performance.now() - t0) / 1000;
    const used = [...after].map(([tid, s]) => ({ tid, s: s - (before.get(tid) ?? 0) }));
    const main = used.find((u) => u.tid === process.pid)?.s ?? 0;
    const others = used.filter((u) => u.tid !== process.pid).sort((a, b) => b.s - a.s);
    const busiest = others[0]?.s ?? 0;
    const total = used.reduce((sum, u) => sum + u.s, 0);
    const us = (s: number) => (s * 1e6) / sagas;
    const coresUsed = total / wallSeconds;
    return {
      coresUsed,
      usPerSaga: us(total),
      mainUsPerSaga: us(main),
      busiestOtherUsPerSaga: us(busiest),
      restUsPerSaga: us(total - main - busiest),
      mainBusy,
      binds: bindingLimit(mainBusy, coresUsed, availableParallelism()),
    };
  };
}
