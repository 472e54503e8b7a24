import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../bus/testing/temp-dir';
import { GroupCommit } from './group-commit';
import { openDatabase } from './sqlite';

const open = () => openDatabase(join(tempDir('gc-'), 'g.db'), ['CREATE TABLE t (v INTEGER UNIQUE);']);

describe('group commit', () => {
  it('commits writes queued together in one transaction, each in its own savepoint', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    const before = db.prepare('SELECT total_changes()').pluck().get();
    const results = await Promise.allSettled([1, 2, 2, 3].map((v) => gc.run(() => db.prepare('INSERT INTO t VALUES (?)').run(v).changes)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 2, 3]);
    expect(before).toBeDefined();
  });

  it('a failing write rolls back alone, including what it wrote before failing', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    const failing = gc.run(() => {
      db.prepare('INSERT INTO t VALUES (10)').run();
      throw new Error('boom');
    });
    const ok = gc.run(() => db.prepare('INSERT INTO t VALUES (11)').run());
    await expect(failing).rejects.toThrow('boom');
    await ok;
    expect(db.prepare('SELECT v FROM t').pluck().all()).toEqual([11]);
  });

  it('settles nothing before the commit: a write is visible by the time its promise resolves', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    let settled = false;
    const p = gc.run(() => db.prepare('INSERT INTO t VALUES (5)').run()).then(() => (settled = true));
    expect(settled).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
    await p;
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
  });

  it('runs its transaction hooks once per attempt: what beforeCommit writes counts only the writes that committed', async () => {
    const db = openDatabase(join(tempDir('gc-'), 'g.db'), ['CREATE TABLE t (v INTEGER UNIQUE); CREATE TABLE n (c INTEGER); INSERT INTO n VALUES (0);']);
    let counted = 0;
    let begins = 0;
    const gc = new GroupCommit(db, undefined, false, {
      begin: () => {
        begins++;
        counted = 0;
      },
      beforeCommit: () => db.prepare('UPDATE n SET c = c + ?').run(counted),
    });
    const insert = (v: number) =>
      gc.run(() => {
        db.prepare('INSERT INTO t VALUES (?)').run(v);
        counted++; // the last thing a write does: a write that throws never gets here
      });
    // The duplicate fails the optimistic attempt; the isolated one commits the other three and counts them.
    const results = await Promise.allSettled([1, 2, 2, 3].map(insert));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(begins).toBe(2);
    expect(db.prepare('SELECT c FROM n').pluck().get()).toBe(3);
    await insert(4);
    expect(db.prepare('SELECT c FROM n').pluck().get()).toBe(4);
  });
});

describe('group commit of writes gathered already (commitNow)', () => {
  it('commits them in one transaction and answers each in order; a failing one rolls back alone, with what it wrote', () => {
    const db = open();
    let transactions = 0;
    const gc = new GroupCommit(db, undefined, true, { begin: () => void transactions++ });
    const outcomes = gc.commitNow([1, 2, 2, -3, 4], (v) => {
      db.prepare('INSERT INTO t VALUES (?)').run(Math.abs(v) * 10);
      if (v < 0) throw new Error(`refused ${v}`); // after writing: the savepoint takes the row back
      return db.prepare('INSERT INTO t VALUES (?)').run(v).changes;
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, false, true]);
    expect(outcomes[0]).toEqual({ ok: true, value: 1 });
    expect((outcomes[3]?.value as Error).message).toBe('refused -3');
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 2, 4, 10, 20, 40]);
    expect(transactions).toBe(2); // the optimistic attempt, rolled back, then the isolated one
  });

  it('commits more writes than a batch holds in several transactions, each failing write still alone', () => {
    const db = open();
    let begins = 0;
    const gc = new GroupCommit(db, 2, false, { begin: () => void begins++ });
    const outcomes = gc.commitNow([1, 2, 3, 3, 5], (v) => db.prepare('INSERT INTO t VALUES (?)').run(v).changes);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true]);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 2, 3, 5]);
    expect(begins).toBe(4); // [1, 2]; [3, 3] tried and then isolated; [5]
  });

  it('commits what run() queued first, so writes commit in the order they were made', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    const queued = gc.run(() => db.prepare('INSERT INTO t VALUES (1)').run());
    expect(gc.commitNow([1], (v) => db.prepare('INSERT INTO t VALUES (?)').run(v))[0]?.ok).toBe(false); // 1 is there already
    await queued;
    expect(db.prepare('SELECT v FROM t').pluck().all()).toEqual([1]);
  });

  it('where the disk refuses the batch, fails every write of it with an error naming the file, and keeps nothing', () => {
    const db = open();
    const gc = new GroupCommit(db);
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const outcomes = gc.commitNow([1, 2], (v) => {
      db.prepare('INSERT INTO t VALUES (?)').run(v);
      if (v === 2) throw full;
    });
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect(String((outcomes[0]?.value as Error).message)).toMatch(/g\.db: the disk holding it is full; nothing of this request was stored/);
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
  });
});

describe('commit rounds', () => {
  /** Counts turns of the event loop (check phases) until stopped. */
  const turnCounter = () => {
    let turns = 0;
    let stopped = false;
    const tick = () => {
      turns++;
      if (!stopped) setImmediate(tick);
    };
    setImmediate(tick);
    return { stop: () => ((stopped = true), turns) };
  };

  it('commits a write queued by a commit’s caller in the same turn of the event loop, as a saga’s next step does', async () => {
    const [a, b] = [open(), open()];
    const [ga, gb] = [new GroupCommit(a), new GroupCommit(b)];
    const insertA = (v: number) => ga.run(() => a.prepare('INSERT INTO t VALUES (?)').run(v));
    const insertB = (v: number) => gb.run(() => b.prepare('INSERT INTO t VALUES (?)').run(v));
    const turns = turnCounter();
    // Five steps, each queued only once the one before has committed: two files, taking turns.
    await insertA(1);
    await insertB(2);
    await insertA(3);
    await insertB(4);
    await insertA(5);
    // The counter's first tick and the rounds share the first check phase; one step a turn would have taken
    // five. Two, not one: a stall of the machine past the rounds' time budget may push the rest to a second turn.
    expect(turns.stop()).toBeLessThanOrEqual(2);
    expect(a.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 3, 5]);
    expect(b.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([2, 4]);
  });

  it('leaves the rest of a long chain to the next turn, so I/O is not starved, and still commits every step', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    const turns = turnCounter();
    for (let v = 0; v < 20; v++) await gc.run(() => db.prepare('INSERT INTO t VALUES (?)').run(v));
    expect(turns.stop()).toBeGreaterThanOrEqual(2); // at most eight rounds a turn
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(20);
  });

  it('leaves the next step to the next turn once a turn has spent its time budget in rounds (5 ms)', async () => {
    const db = open();
    const gc = new GroupCommit(db);
    const turns = turnCounter();
    await gc.run(() => {
      const until = performance.now() + 6; // a batch as slow as a full-load one
      while (performance.now() < until);
      return db.prepare('INSERT INTO t VALUES (1)').run();
    });
    await gc.run(() => db.prepare('INSERT INTO t VALUES (2)').run());
    expect(turns.stop()).toBeGreaterThanOrEqual(2); // in the same turn, the counter would have ticked once
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2);
  });

  it('still commits the writes queued together as one transaction', async () => {
    const db = open();
    let transactions = 0;
    const gc = new GroupCommit(db, undefined, false, { begin: () => void transactions++ });
    await Promise.all([1, 2, 3].map((v) => gc.run(() => db.prepare('INSERT INTO t VALUES (?)').run(v))));
    expect(transactions).toBe(1);
  });
});
