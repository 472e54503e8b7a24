import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on the other core. SQLite checkpoints inside the commit that leaves the WAL 1,000
 * frames long: that commit copies the pages into the database file and syncs it while the event loop
 * waits (about a tenth of a saga's CPU time in the bench, and the long tail of its latency). Here one
 * worker thread per process holds its own connection to each file and runs PASSIVE checkpoints beside
 * the writes: PASSIVE never blocks a writer or a reader and never invokes a busy handler, so the main
 * thread's commits only append to the WAL. Durability is unchanged (a checkpoint syncs the WAL before
 * copying and the file after, whichever connection runs it). The main connection keeps SQLite's own
 * autocheckpoint as the safety net: if this worker is gone or falls behind, checkpoints happen inline
 * as before, and they copy only what the worker has not.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const files = new Map(); // file -> { db, log, done }
let delay = workerData.minDelayMs;
let timer = null;
function sweep() {
  timer = null;
  let progress = false;
  const seen = [];
  for (const [file, f] of files) {
    try {
      const r = f.db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (r.log !== f.log || r.checkpointed !== f.done) progress = true;
      f.log = r.log;
      f.done = r.checkpointed;
      seen.push({ file, log: r.log, checkpointed: r.checkpointed });
    } catch (error) {
      files.delete(file);
      try { f.db.close(); } catch {}
      parentPort.postMessage({ dropped: file, reason: String(error && error.message) });
    }
  }
  // Busy: look again soon. Quiet: back off, so an idle process costs next to nothing.
  delay = progress ? workerData.minDelayMs : Math.min(delay * 2, workerData.maxDelayMs);
  if (files.size > 0) timer = setTimeout(sweep, delay);
  return seen;
}
parentPort.on('message', (m) => {
  if (m.sweep !== undefined) {
    if (timer) clearTimeout(timer);
    return parentPort.postMessage({ swept: m.sweep, files: sweep() });
  }
  if (m.add) {
    try {
      const db = new Database(m.add, { fileMustExist: true });
      db.pragma('synchronous = NORMAL');
      files.set(m.add, { db, log: -1, done: -1 });
    } catch (error) {
      parentPort.postMessage({ dropped: m.add, reason: String(error && error.message) });
    }
  }
  if (m.remove) {
    const f = files.get(m.remove);
    files.delete(m.remove);
    if (f) try { f.db.close(); } catch {}
  }
  delay = workerData.minDelayMs;
  if (timer) clearTimeout(timer);
  if (files.size > 0) timer = setTimeout(sweep, delay);
});
`;

/** One file's WAL after a checkpoint: `log` frames in it, `checkpointed` of them copied into the database. */
export interface WalState {
  file: string;
  log: number;
  checkpointed: number;
}

type FromWorker = { swept: number; files: WalState[] } | { dropped: string; reason: string };

class BackgroundCheckpointer {
  private worker: Worker | null = null;
  /** Set once the worker could not start or died: from then on SQLite checkpoints inline, as it does by default. */
  private failed = false;
  private readonly refs = new Map<string, number>();
  private readonly sweeps = new Map<number, (files: WalState[]) => void>();
  private nextSweep = 0;

  /** Starts checkpointing `file` in the background; the returned function stops it (call it when the file's connection closes). */
  add(file: string): () => void {
    const path = resolve(file);
    const n = this.refs.get(path) ?? 0;
    this.refs.set(path, n + 1);
    if (n === 0) this.post({ add: path });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.refs.get(path) ?? 1) - 1;
      if (left > 0) return void this.refs.set(path, left);
      this.refs.delete(path);
      this.post({ remove: path });
    };
  }

  /**
   * Checkpoints every file now and answers what each WAL holds afterwards (frames in it, frames copied
   * into the database). For tests and operators; the worker does the same on its own as writes come.
   */
  sweep(): Promise<WalState[]> {
    const worker = this.start();
    if (!worker) return Promise.resolve([]);
    const id = this.nextSweep++;
    return new Promise((resolve) => {
      this.sweeps.set(id, resolve);
      worker.postMessage({ sweep: id });
    });
  }

  private post(message: { add: string } | { remove: string }): void {
    this.start()?.postMessage(message);
  }

  private start(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, { eval: true, workerData: { driver, minDelayMs: 2, maxDelayMs: 250 } });
    worker.on('message', (m: FromWorker) => {
      if ('swept' in m) {
        this.sweeps.get(m.swept)?.(m.files);
        this.sweeps.delete(m.swept);
      } else process.emitWarning(`background checkpoints stopped for ${m.dropped} (${m.reason}); SQLite checkpoints it inline instead`);
    });
    worker.on('error', (error) => {
      process.emitWarning(`the checkpoint worker failed (${error.message}); SQLite checkpoints inline from now on`);
    });
    worker.on('exit', () => {
      this.worker = null;
      this.failed = true;
    });
    worker.unref(); // never keeps the process alive (after the listeners: adding one refs the worker again)
    this.worker = worker;
    return worker;
  }
}

/** One per process: every database opened with background checkpoints shares its worker. */
export const backgroundCheckpointer = new BackgroundCheckpointer();
