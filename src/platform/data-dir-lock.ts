import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
};

/**
 * One server per data folder when the bus is in memory: a second one would run its own relays and
 * deadlines over the same files and deliver every event twice, each in its own process. The lock is a
 * file naming its holder; a holder that is no longer running (killed with -9) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, '.lock');
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        try {
          if ((JSON.parse(readFileSync(file, 'utf8')) as Holder).pid === me.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      let holder: Holder | null = null;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
      } catch {
        holder = null; // half-written or unreadable: treat as stale
      }
      if (holder && holder.pid !== me.pid && holder.host === me.host && alive(holder.pid)) {
        throw new Error(
          `DATA_DIR ${resolve(dataDir)} is in use by process ${holder.pid} (started ${holder.startedAt}): stop that server first, or give this one another DATA_DIR (only with BUS=rabbitmq may processes share a folder)`,
        );
      }
      rmSync(file, { force: true }); // stale: its holder is gone (or it is this very process)
    }
  }
  throw new Error(`could not take the lock ${file}; is another server starting at the same moment?`);
}
