import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * What SQLite itself costs a saga: every statement the app runs (BEGIN and COMMIT included, checkpoints
 * not), timed where it runs. With the recording groups on the main thread (WRITER_THREAD=off) that is
 * every statement of the saga, so the sum is a floor under the CPU a saga needs with today's writes:
 * no change above SQLite (threads, encoding, fewer allocations) gets a saga below it, and the machine's
 * cores divided by it bound the rate. Only fewer or cheaper statements move that bound.
 */
export interface StatementCost {
  /** The statement's SQL, whitespace folded, cut at 100 characters. */
  sql: string;
  /** Calls per saga. */
  perSaga: number;
  /** Time per call and per saga, in µs (the timer's own cost taken off). */
  usPerCall: number;
  usPerSaga: number;
}

export interface StatementCosts {
  sagas: number;
  statementsPerSaga: number;
  commitsPerSaga: number;
  /** Time inside statements per saga, in µs. */
  usPerSaga: number;
  /** The machine's cores over `usPerSaga`: the rate if nothing but these statements cost anything and every core ran them. */
  boundSagasPerSec: number;
  cores: number;
  /** The costliest statements, by time per saga. */
  top: StatementCost[];
}

/**
 * The methods that run a statement to its end within the call. Not `iterate`: its rows are stepped after the
 * call returns, so timing the call would count only the iterator's creation (the app does not use it).
 */
type Method = 'run' | 'get' | 'all';
const METHODS: readonly Method[] = ['run', 'get', 'all'];

/** The driver's statement prototype, shared by every connection this thread opens (the app's included). */
function statementPrototype(): Record<Method, (...args: unknown[]) => unknown> {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(':memory:');
  try {
    return Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<Method, (...args: unknown[]) => unknown>;
  } finally {
    db.close();
  }
}

/** What the timer adds to each timed call, in ms (what it records around a call that does nothing): taken off each call. */
function timerCost(): number {
  const noop = (): undefined => undefined;
  const n = 100_000;
  let ms = 0;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    try {
      noop.apply(null, []);
    } finally {
      ms += performance.now() - s;
    }
  }
  return ms / n;
}

/**
 * Times every statement this thread runs until `stop`, which puts the driver's methods back and sums up
 * per saga. Only statements on the calling thread are seen: run the app with WRITER_THREAD=off to see all.
 */
export function timeStatements(cores: number): { stop(sagas: number): StatementCosts } {
  const proto = statementPrototype();
  const originals = new Map(METHODS.map((m) => [m, proto[m]] as const));
  const bySql = new Map<string, { n: number; ms: number }>();
  const overhead = timerCost();
  for (const m of METHODS) {
    const original = originals.get(m) as (...args: unknown[]) => unknown;
    proto[m] = function timed(this: { source: string }, ...args: unknown[]) {
      const s = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - s;
        let e = bySql.get(this.source);
        if (!e) bySql.set(this.source, (e = { n: 0, ms: 0 }));
        e.n++;
        e.ms += ms;
      }
    };
  }
  return {
    stop(sagas: number): StatementCosts {
      for (const m of METHODS) proto[m] = originals.get(m) as (...args: unknown[]) => unknown;
      const rows = [...bySql].map(([sql, e]): StatementCost => {
        const ms = Math.max(0, e.ms - e.n * overhead);
        return { sql: sql.replace(/\s+/g, ' ').trim().slice(0, 100), perSaga: e.n / sagas, usPerCall: (ms * 1000) / e.n, usPerSaga: (ms * 1000) / sagas };
      });
      const usPerSaga = rows.reduce((a, r) => a + r.usPerSaga, 0);
      return {
        sagas,
        statementsPerSaga: rows.reduce((a, r) => a + r.perSaga, 0),
        commitsPerSaga: rows.filter((r) => r.sql === 'COMMIT').reduce((a, r) => a + r.perSaga, 0),
        usPerSaga,
        boundSagasPerSec: usPerSaga > 0 ? (cores * 1e6) / usPerSaga : 0,
        cores,
        top: rows.sort((a, b) => b.usPerSaga - a.usPerSaga).slice(0, 12),
      };
    },
  };
}
