import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { backgroundCheckpointer, CHECKPOINT_FRAMES, INLINE_CHECKPOINT_FRAMES } from './checkpointer';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * Checkpoint the WAL on a worker thread (see checkpointer.ts) instead of inside the commit that fills
   * it. Default true; the bench's raw ceiling turns it off to measure a plain connection.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * Opens a module's SQLite file with the durable settings every store shares (WAL, synchronous=NORMAL:
 * a commit survives a process crash; only an OS crash may lose the last transactions) and applies
 * the given migrations once each, tracked by PRAGMA user_version.
 */
export function openDatabase(file: string, migrations: readonly string[], options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // Read the header and the schema before writing anything: a file that is not SQLite, or whose first
    // pages are damaged, is refused here and left exactly as it was.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get();
    return configure(db, file, migrations, options);
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CANTOPEN') {
      throw new Error(`${file} is not a usable SQLite database (${code}: ${(error as Error).message}); nothing was changed. Restore it from a backup (npm run backup) or move it aside to start that module empty`);
    }
    throw error;
  }
}

function configure(db: Db, file: string, migrations: readonly string[], options: OpenOptions): Db {
  // Page size and checkpoint interval stay at SQLite's defaults (4 KiB, every 1,000 pages) on purpose:
  // 16 KiB pages with 40 MiB checkpoints gave ~10% more sagas/s in batches but tripled p99 latency
  // (8 -> 30+ ms at half load) and halved the single-commit ceiling (npm run bench, interleaved runs).
  db.pragma('page_size = 4096');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // A 16 MiB page cache per connection and no memory-mapped I/O, so the process's memory is bounded by
  // settings, not by the files' size: with 64 MiB caches and 256 MiB maps, a long run's resident set grew
  // with the data (mapped pages count as resident, and a full scan such as the auditor's maps a whole
  // file), and the soak could not tell that from a leak. Measured beside the old settings: the same saga
  // rate within the machine's noise (docs/performance.md).
  db.pragma('cache_size = -16384');
  db.pragma('mmap_size = 0');
  db.pragma('temp_store = MEMORY');
  const background = file !== ':memory:' && options.backgroundCheckpoints !== false;
  // Inline checkpoints every 1,000 pages (SQLite's default) unless the worker does them; then as a safety net
  // (also reached under a steady stream of small commits: see the known limit in checkpointer.ts).
  db.pragma(`wal_autocheckpoint = ${background ? INLINE_CHECKPOINT_FRAMES : CHECKPOINT_FRAMES}`);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`${file} has schema version ${current}, newer than this code knows (${migrations.length}): it was written by a newer release; run that release or restore an older backup`);
  }
  const apply = db.transaction(() => {
    for (let i = current; i < migrations.length; i++) {
      db.exec(migrations[i] as string);
    }
    db.pragma(`user_version = ${migrations.length}`);
  });
  if (current < migrations.length) apply();
  if (background) {
    const release = backgroundCheckpointer.add(file);
    const close = db.close.bind(db);
    db.close = () => {
      release();
      return close();
    };
  }
  return db;
}
