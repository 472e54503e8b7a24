import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on the other core. SQLite checkpoints inside the commit that leaves the WAL 1,000
 * frames long: that commit copies the pages into the database file and syncs it while the event loop
 * waits (about a tenth of a saga's CPU time in the bench). Here one worker thread per process holds its
 * own connection to each file and, once 1,000 frames wait, runs a PASSIVE checkpoint beside the writes:
 * PASSIVE never blocks a writer or a reader and never invokes a busy handler, so the main thread's
 * commits only append to the WAL. Durability is unchanged (a checkpoint syncs the WAL before copying
 * and the file after, whichever connection runs it). What stays on the writer: the first commit after a
 * completed checkpoint restarts the WAL and syncs its header, which is why the worker waits for a full
 * batch instead of checkpointing continuously (that made restarts, and those syncs, about ten times
 * more frequent: ~65 instead of a handful in a 20,000-saga run), and why batches are not made larger either (the restart sync then flushes more of the
 * WAL: 4,000 frames tripled the worst event-loop stall). The main connection keeps an autocheckpoint as
 * a safety net: if the worker is gone or falls far behind, checkpoints happen inline again.
 *
 * Known limit: the WAL restarts only after a checkpoint that copied every frame, and a PASSIVE
 * checkpoint running beside a steady stream of small commits (one every millisecond or so, as at half
 * load) always leaves the last few behind. The WAL then grows to the safety net, and the writer's inline
 * checkpoint copies that remainder and syncs (WAL, database, then the restarted WAL's header): measured
 * at half load, about three times a second per busy file, 3–9 ms each on the event loop. Under full load
 * commits are fewer and larger, the worker catches up between them, and this is rare.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { endianness } = require('node:os');
const Database = require(workerData.driver);
const files = new Map(); // file -> { db, shm }
const header = Buffer.alloc(100);
const u32 = endianness() === 'LE' ? (o) => header.readUInt32LE(o) : (o) => header.readUInt32BE(o);
let delay = workerData.minDelayMs;
let timer = null;

// Frames in the WAL not yet copied into the database, read from the wal-index header in the -shm file
// (sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in native byte order). A racy
// read only moves a checkpoint a little earlier or later.
function backlog(f) {
  if (f.shm === null) return Infinity; // no -shm to read: checkpoint on every sweep
  return readSync(f.shm, header, 0, 100, 0) === 100 ? u32(16) - u32(96) : 0;
}

function sweep(force) {
  timer = null;
  let waiting = false;
  const seen = [];
  for (const [file, f] of files) {
    try {
      const frames = backlog(f);
      if (frames > 0) waiting = true;
      // Only a full batch is checkpointed: every completed checkpoint lets the writer restart the WAL,
      // and a restart costs the writer one sync, so they should come no more often than SQLite's own.
      if (!force && frames < workerData.frames) continue;
      const r = f.db.pragma('wal_checkpoint(PASSIVE)')[0];
      seen.push({ file, log: r.log, checkpointed: r.checkpointed });
    } catch (error) {
      // Another process checkpointing the same file (split mode shares bus.db): try again next round.
      if (error && /^SQLITE_(BUSY|LOCKED)/.test(String(error.code))) continue;
      files.delete(file);
      try { f.db.close(); if (f.shm !== null) closeSync(f.shm); } catch {}
      parentPort.postMessage({ dropped: file, reason: String(error && error.message) });
    }
  }
  // Writes coming: look again soon. Quiet: back off, so an idle process costs next to nothing.
  delay = waiting ? workerData.minDelayMs : Math.min(delay * 2, workerData.maxDelayMs);
  if (files.size > 0) timer = setTimeout(sweep, delay, false);
  return seen;
}

parentPort.on('message', (m) => {
  if (timer) clearTimeout(timer);
  if (m.sweep !== undefined) return parentPort.postMessage({ swept: m.sweep, files: sweep(true) });
  if (m.add) {
    try {
      const db = new Database(m.add, { fileMustExist: true });
      db.pragma('synchronous = NORMAL');
      let shm = null;
      try { shm = openSync(m.add + '-shm', 'r'); } catch {}
      files.set(m.add, { db, shm });
    } catch (error) {
      parentPort.postMessage({ dropped: m.add, reason: String(error && error.message) });
    }
  }
  if (m.remove) {
    const f = files.get(m.remove);
    files.delete(m.remove);
    if (f) try { f.db.close(); if (f.shm !== null) closeSync(f.shm); } catch {}
  }
  delay = workerData.minDelayMs;
  if (files.size > 0) timer = setTimeout(sweep, delay, false);
});
`;

/** The worker checkpoints a file once this many frames wait in its WAL: SQLite's own autocheckpoint size. */
export const CHECKPOINT_FRAMES = 1_000;
/**
 * The writer's own autocheckpoint, kept as a safety net: reached if the worker is gone or has fallen
 * this far behind, and under a steady stream of small commits (see the known limit above). Then the
 * writer checkpoints inline, copying only what the worker has not.
 */
export const INLINE_CHECKPOINT_FRAMES = 10_000;

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
      worker.ref(); // an answer is awaited: keep the process alive until it comes
      worker.postMessage({ sweep: id });
    });
  }

  private post(message: { add: string } | { remove: string }): void {
    this.start()?.postMessage(message);
  }

  private start(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, { eval: true, workerData: { driver, frames: CHECKPOINT_FRAMES, minDelayMs: 5, maxDelayMs: 250 } });
    worker.on('message', (m: FromWorker) => {
      if ('swept' in m) {
        this.sweeps.get(m.swept)?.(m.files);
        this.sweeps.delete(m.swept);
        if (this.sweeps.size === 0) worker.unref();
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
