import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../bus/testing/temp-dir';
import { backgroundCheckpointer } from './checkpointer';
import { openDatabase } from './sqlite';

const stateOf = async (file: string) => (await backgroundCheckpointer.sweep()).find((s) => s.file === resolve(file));

describe('background checkpoints', () => {
  it('copy committed pages into the database file from the worker, not from the writing thread', async () => {
    const file = join(tempDir('ckpt-'), 'c.db');
    const db = openDatabase(file, ['CREATE TABLE t (v TEXT);']);
    db.pragma('wal_autocheckpoint = 0'); // the writer never checkpoints: whatever reaches the file, the worker copied
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 2_000; i++) insert.run(`row ${i}`);

    const state = await stateOf(file);
    expect(state?.log).toBeGreaterThan(0);
    expect(state?.checkpointed).toBe(state?.log);
    // The database file alone, without its WAL, holds every row.
    const copy = join(tempDir('ckpt-copy-'), 'copy.db');
    copyFileSync(file, copy);
    const alone = new Database(copy, { readonly: true });
    expect(alone.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2_000);
    alone.close();
    db.close();
  });

  it('keep one worker connection per file while any connection to it is open, and let it go after the last closes', async () => {
    const file = join(tempDir('ckpt-'), 'c.db');
    const a = openDatabase(file, ['CREATE TABLE t (v TEXT);']);
    const b = openDatabase(file, ['CREATE TABLE t (v TEXT);']);
    expect((await backgroundCheckpointer.sweep()).filter((s) => s.file === resolve(file))).toHaveLength(1);
    a.close();
    expect(await stateOf(file)).toBeDefined();
    b.close();
    expect(await stateOf(file)).toBeUndefined();
    // Reopened after that, nothing was lost and checkpoints resume.
    const c = openDatabase(file, ['CREATE TABLE t (v TEXT);']);
    c.prepare('INSERT INTO t VALUES (?)').run('after');
    expect((await stateOf(file))?.checkpointed).toBe((await stateOf(file))?.log);
    expect(c.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
    c.close();
  });

  it('are not used when turned off (the bench measures a plain connection that way)', async () => {
    const file = join(tempDir('ckpt-'), 'c.db');
    const db = openDatabase(file, ['CREATE TABLE t (v TEXT);'], { backgroundCheckpoints: false });
    expect(await stateOf(file)).toBeUndefined();
    db.close();
  });
});
