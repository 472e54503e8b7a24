import { readFileSync } from 'node:fs';

/**
 * What a saga costs the disk: the bytes this process handed to write(2) and pwrite(2), over all its
 * threads (`wchar` in /proc/self/io: WAL frames, the checkpoint worker's copies into the database files,
 * everything else), and how many such calls (`syscw`). Not what reached the device (the page cache decides
 * when), but what the process asked for. At low load a commit carries about one saga's step and writes
 * again the last page of every table and index it touches, so a saga writes several times what it does at
 * full load, and on a disk whose syncs are slow those frames are what make the WAL cycle, and each cycle
 * costs its syncs (docs/performance.md).
 */
export interface DiskWrites {
  /** KiB handed to write calls per saga. */
  kbPerSaga: number;
  /** Write calls per saga. */
  callsPerSaga: number;
}

type Sample = { bytes: number; calls: number };

/** Reads /proc/self/io's counters (null where it is missing: not Linux, or no task I/O accounting). */
function sample(): Sample | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/io', 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1]);
  const bytes = field('wchar');
  const calls = field('syscw');
  return Number.isFinite(bytes) && Number.isFinite(calls) ? { bytes, calls } : null;
}

/** Starts counting; the returned function ends the count for `sagas` sagas (null where /proc/self/io is missing). */
export function countDiskWrites(): (sagas: number) => DiskWrites | null {
  const before = sample();
  return (sagas) => {
    const after = sample();
    if (!before || !after || sagas <= 0) return null;
    return { kbPerSaga: (after.bytes - before.bytes) / 1024 / sagas, callsPerSaga: (after.calls - before.calls) / sagas };
  };
}
