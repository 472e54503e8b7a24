import type { Db } from '../../platform/sqlite';
import type { SourceName } from '../event-source';

export type RebuildState = 'running' | 'interrupted' | 'done' | 'abandoned';

export interface RebuildRow {
  gen: number;
  state: RebuildState;
  positions: Record<SourceName, number>;
  folded: number;
  skipped: number;
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

type RawRebuild = [number, RebuildState, string, number, number, string | null, string, string, string | null];
const REBUILD_COLUMNS = 'gen, state, positions, folded, skipped, error, started_at, updated_at, finished_at';
const toRebuild = (r: RawRebuild): RebuildRow => ({
  gen: r[0],
  state: r[1],
  positions: JSON.parse(r[2]) as Record<SourceName, number>,
  folded: r[3],
  skipped: r[4],
  error: r[5],
  startedAt: r[6],
  updatedAt: r[7],
  finishedAt: r[8],
});

/** The `rebuilds` table: one row per rebuild, with how far it got, so a stopped one can resume. */
export class RebuildLog {
  private readonly st;

  constructor(db: Db) {
    this.st = {
      latest: db.prepare<[], RawRebuild>(`SELECT ${REBUILD_COLUMNS} FROM rebuilds ORDER BY gen DESC LIMIT 1`).raw(),
      unfinished: db.prepare<[], RawRebuild>(`SELECT ${REBUILD_COLUMNS} FROM rebuilds WHERE state IN ('running', 'interrupted') ORDER BY gen DESC LIMIT 1`).raw(),
      add: db.prepare(`INSERT INTO rebuilds (gen, state, positions, started_at, updated_at) VALUES (?, 'running', ?, ?, ?)`),
      progress: db.prepare('UPDATE rebuilds SET positions = ?, folded = folded + ?, skipped = skipped + ?, updated_at = ? WHERE gen = ?'),
      setState: db.prepare('UPDATE rebuilds SET state = ?, error = ?, updated_at = ?, finished_at = ? WHERE gen = ?'),
      interrupt: db.prepare(`UPDATE rebuilds SET state = 'interrupted' WHERE state = 'running'`),
    };
  }

  latest(): RebuildRow | null {
    const r = this.st.latest.get();
    return r ? toRebuild(r) : null;
  }

  unfinished(): RebuildRow | null {
    const r = this.st.unfinished.get();
    return r ? toRebuild(r) : null;
  }

  add(gen: number, positions: Record<SourceName, number>, now: string): void {
    this.st.add.run(gen, JSON.stringify(positions), now, now);
  }

  recordProgress(gen: number, positions: Record<SourceName, number>, folded: number, skipped: number, now: string): void {
    this.st.progress.run(JSON.stringify(positions), folded, skipped, now, gen);
  }

  setState(gen: number, state: RebuildState, error: string | null, now: string): void {
    this.st.setState.run(state, error, now, state === 'done' || state === 'abandoned' ? now : null, gen);
  }

  /** A rebuild marked running when the file was opened ran in a process that is gone. */
  interruptRunning(): void {
    this.st.interrupt.run();
  }
}
