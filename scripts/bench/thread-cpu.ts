import { readdirSync, readFileSync } from 'node:fs';

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
  return (sagas) => {
    const after = sample();
    if (!before || !after || sagas <= 0) return null;
    const wallSeconds = (performance.now() - t0) / 1000;
    const used = [...after].map(([tid, s]) => ({ tid, s: s - (before.get(tid) ?? 0) }));
    const main = used.find((u) => u.tid === process.pid)?.s ?? 0;
    const others = used.filter((u) => u.tid !== process.pid).sort((a, b) => b.s - a.s);
    const busiest = others[0]?.s ?? 0;
    const total = used.reduce((sum, u) => sum + u.s, 0);
    const us = (s: number) => (s * 1e6) / sagas;
    return { coresUsed: total / wallSeconds, usPerSaga: us(total), mainUsPerSaga: us(main), busiestOtherUsPerSaga: us(busiest), restUsPerSaga: us(total - main - busiest) };
  };
}
