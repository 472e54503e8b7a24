import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface BackedUp {
  file: string;
  bytes: number;
  pages: number;
  check: string;
}

/**
 * A consistent online copy of every SQLite file in `dataDir`, taken with SQLite's backup API while the
 * app keeps writing: each copy is one consistent snapshot of its file (files are copied one after the
 * other, so they are not one snapshot together: a restore of one file relies on the outboxes, inboxes
 * and the auditor to converge, see the README). Each copy is checked with `PRAGMA quick_check`.
 */
export async function backupDataDir(dataDir: string, to: string): Promise<BackedUp[]> {
  mkdirSync(to, { recursive: true });
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.db')).sort();
  if (files.length === 0) throw new Error(`no SQLite files (*.db) in ${dataDir}: is DATA_DIR right?`);
  const out: BackedUp[] = [];
  for (const file of files) {
    const source = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      const { totalPages } = await source.backup(join(to, file));
      const copy = new Database(join(to, file), { readonly: true });
      const check = String(copy.pragma('quick_check', { simple: true }));
      copy.close();
      out.push({ file, bytes: statSync(join(to, file)).size, pages: totalPages, check });
    } finally {
      source.close();
    }
  }
  return out;
}
