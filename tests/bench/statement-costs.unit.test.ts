import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { timeStatements } from '../../scripts/bench/statement-costs';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

describe("the bench's statement timer", () => {
  it("counts every statement of every connection per saga, transactions' BEGIN and COMMIT included, and puts the driver back", () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    const count = db.prepare('SELECT COUNT(*) AS c FROM t');
    const proto = Object.getPrototypeOf(insert) as { run: unknown };
    const original = proto.run;

    const timer = timeStatements(2);
    const sagas = 4;
    const write = db.transaction((n: number) => {
      insert.run(n);
      insert.run(n + 1);
    });
    for (let i = 0; i < sagas; i++) write(i);
    count.get();
    const costs = timer.stop(sagas);

    expect(proto.run).toBe(original);
    const bySql = new Map(costs.top.map((c) => [c.sql, c]));
    expect(bySql.get('INSERT INTO t (n) VALUES (?)')?.perSaga).toBe(2);
    expect(bySql.get('BEGIN')?.perSaga).toBe(1);
    expect(costs.commitsPerSaga).toBe(1);
    expect(costs.statementsPerSaga).toBe(4 + 1 / sagas);
    expect(costs.usPerSaga).toBeGreaterThan(0);
    expect(costs.boundSagasPerSec).toBeCloseTo((2 * 1e6) / costs.usPerSaga);

    insert.run(99); // after stop: no longer counted, and still works
    expect(count.get()).toEqual({ c: 2 * sagas + 1 });
    db.close();
  });
});
