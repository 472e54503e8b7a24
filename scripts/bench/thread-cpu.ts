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
  /** The cores the limits are judged against (`os.availableParallelism()`). */
  cores: number;
  /** The main thread's event-loop utilization over the run (1: its loop never waited for I/O or a timer). */
  mainEventLoopUtilization: number;
  /** The main thread's CPU seconds over wall seconds: below its loop's utilization when it waited for a core or in a synchronous call (a disk write). */
  mainCoresUsed: number;
  /**
   * The share of the time the main thread was ready to run but waited for a core (the scheduler's run-queue wait,
   * /proc's schedstat): what separates a main thread starved by the other threads from one asleep in a call.
   * Null where the kernel keeps no schedstat.
   */
  mainWaitedForCore: number | null;
  /** The busiest other thread's CPU seconds over wall seconds. */
  busiestOtherCoresUsed: number;
  /** Which limit held the rate (see `bindingLimit`); `describeLimit` says it in words. */
  binds: BindingLimit;
}

export type BindingLimit = 'main' | 'cores' | 'both' | 'other-thread' | 'neither';

/** A loop this busy, or a thread on a core this much of the time, is taken to be saturated. */
const SATURATED_THREAD = 0.95;
/** A process using this share of the cores is taken to have them all busy (the OS and other processes need some). */
const SATURATED_CORES = 0.9;

export interface LimitInputs {
  mainEventLoopUtilization: number;
  coresUsed: number;
  busiestOtherCoresUsed: number;
  cores: number;
}

/**
 * Which limit held the rate of a closed-loop run: the main thread (its event loop never idle), the cores
 * (the process's threads together used them all), both, another single thread (the writer thread using a
 * whole core while neither of those binds), or neither (the run waited on something else). Work moved off
 * the main thread raises the rate only when the cores do not bind too; only less CPU per saga over all
 * threads raises it when they do (docs/performance.md, "What 5× would take").
 */
export function bindingLimit({ mainEventLoopUtilization, coresUsed, busiestOtherCoresUsed, cores }: LimitInputs): BindingLimit {
  const main = mainEventLoopUtilization >= SATURATED_THREAD;
  const all = coresUsed >= SATURATED_CORES * Math.max(1, cores);
  if (main && all) return 'both';
  if (main) return 'main';
  if (all) return 'cores';
  return busiestOtherCoresUsed >= SATURATED_THREAD ? 'other-thread' : 'neither';
}

/** The limit in words, for the bench's table and the probe's line. */
export function describeLimit(c: Pick<ThreadCpu, 'binds' | 'mainEventLoopUtilization' | 'mainCoresUsed' | 'mainWaitedForCore' | 'coresUsed' | 'cores'>): string {
  const waited = c.mainWaitedForCore === null ? '' : `, waiting for one ${c.mainWaitedForCore.toFixed(2)}`;
  const loop = `main event loop busy ${c.mainEventLoopUtilization.toFixed(2)}, main thread on a core ${c.mainCoresUsed.toFixed(2)} of the time${waited}; ${c.coresUsed.toFixed(2)} of ${c.cores} cores used`;
  const what = {
    main: 'the main thread',
    cores: 'the cores',
    both: 'the main thread and the cores',
    'other-thread': 'one thread other than the main one (a whole core)',
    neither: 'neither: the run waited on something else',
  }[c.binds];
  return `${what} (${loop})`;
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

/** The main thread's time waiting on a run queue, in seconds, or null without schedstat (a kernel built without it). */
function runQueueWait(): number | null {
  try {
    const [, waitNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    const n = Number(waitNs);
    return Number.isFinite(n) ? n / 1e9 : null;
  } catch {
    return null;
  }
}

/** Starts counting; the returned function ends the count for `sagas` sagas (null where /proc is missing). */
export function countThreadCpu(): (sagas: number) => ThreadCpu | null {
  const before = sample();
  const waitedBefore = runQueueWait();
  const t0 = performance.now();
  const elu = performance.eventLoopUtilization();
  return (sagas) => {
    const after = sample();
    const waitedAfter = runQueueWait();
    const mainEventLoopUtilization = performance.eventLoopUtilization(elu).utilization;
    if (!before || !after || sagas <= 0) return null;
    const wallSeconds = (performance.now() - t0) / 1000;
    const used = [...after].map(([tid, s]) => ({ tid, s: s - (before.get(tid) ?? 0) }));
    const main = used.find((u) => u.tid === process.pid)?.s ?? 0;
    const others = used.filter((u) => u.tid !== process.pid).sort((a, b) => b.s - a.s);
    const busiest = others[0]?.s ?? 0;
    const total = used.reduce((sum, u) => sum + u.s, 0);
    const us = (s: number) => (s * 1e6) / sagas;
    const coresUsed = total / wallSeconds;
    const busiestOtherCoresUsed = busiest / wallSeconds;
    const cores = availableParallelism();
    return {
      coresUsed,
      usPerSaga: us(total),
      mainUsPerSaga: us(main),
      busiestOtherUsPerSaga: us(busiest),
      restUsPerSaga: us(total - main - busiest),
      cores,
      mainEventLoopUtilization,
      mainCoresUsed: main / wallSeconds,
      mainWaitedForCore: waitedBefore === null || waitedAfter === null ? null : (waitedAfter - waitedBefore) / wallSeconds,
      busiestOtherCoresUsed,
      binds: bindingLimit({ mainEventLoopUtilization, coresUsed, busiestOtherCoresUsed, cores }),
    };
  };
}
