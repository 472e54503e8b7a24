import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/platform/sqlite';

/**
 * The raw baseline both the ceiling and the disk-stall phases commit to: one file in `dir` with the
 * app's pragmas, two tables, and a transaction that inserts `v` into each (about what a saga step's
 * commit writes). `backgroundCheckpoints` gives the connection the app's checkpoint worker.
 */
export function twoInsertFile(dir: string, backgroundCheckpoints: boolean): { db: Db; commit: (v: string) => void } {
  const db = openDatabase(join(dir, 'two-insert.db'), ['CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);'], { backgroundCheckpoints });
  const ia = db.prepare('INSERT INTO a (v) VALUES (?)');
  const ib = db.prepare('INSERT INTO b (v) VALUES (?)');
  const commit = db.transaction((v: string) => {
    ia.run(v);
    ib.run(v);
  });
  return { db, commit };
}
