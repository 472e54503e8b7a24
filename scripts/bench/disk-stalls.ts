import { rmSync } from 'node:fs';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { backgroundCheckpointer } from '../../src/platform/checkpointer';
import { quantile } from './quantile';
import { twoInsertFile } from './two-insert-file';

/**
 * How often this machine's disk stalls a bare commit, at a given rate: one connection with the app's
 * pragmas and its checkpoint worker, a two-insert transaction paced like the open loop's creates, for
 * the latency round's length. A commit that waits on the disk (the kernel's writeback and journal,
 * behind a checkpoint's fsync) holds the event loop, and every saga in flight with it, so the count
 * and length of these stalls set a floor under the saga p99 that no code above SQLite removes.
 */
export interface DiskStalls {
  commitsPerSec: number;
  seconds: number;
  /** Per round: commits that took over 8 ms, and the longest one. */
  rounds: Array<{ over8Ms: number; maxMs: number; p999Ms: number }>;
}

export async function diskStalls(commitsPerSec: number, seconds: number, rounds: number): Promise<DiskStalls> {
  const result: DiskStalls = { commitsPerSec, seconds, rounds: [] };
  const row = 'x'.repeat(600); // about an event row's size
  for (let r = 0; r < rounds; r++) {
    const dir = tempDir('bench-disk-');
    const { db, commit } = twoInsertFile(dir, true);
    const total = Math.max(1, Math.round(commitsPerSec * seconds));
    const took: number[] = [];
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * commitsPerSec));
        while (took.length < due) {
          const s = performance.now();
          commit(row);
          took.push(performance.now() - s);
        }
        if (took.length >= total) resolve();
        else setImmediate(tick);
      };
      tick();
    });
    db.close();
    await backgroundCheckpointer.sweep();
    rmSync(dir, { recursive: true, force: true });
    took.sort((a, b) => a - b);
    result.rounds.push({ over8Ms: took.filter((t) => t > 8).length, maxMs: took[took.length - 1] ?? 0, p999Ms: quantile(took, 0.999) });
  }
  return result;
}
