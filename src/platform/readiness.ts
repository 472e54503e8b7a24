/** Something the process needs before it can serve traffic. `check` answers null when fine, else what is wrong. */
export interface ReadinessCheck {
  readonly name: string;
  check(): string | null;
}

export interface Readiness {
  ready: boolean;
  /** Each check's name → `ok` or the reason it is not. */
  checks: Record<string, string>;
}

/** Runs every check (a check that throws is not ready, with its error as the reason). */
export function readiness(checks: readonly ReadinessCheck[]): Readiness {
  const out: Record<string, string> = {};
  let ready = true;
  for (const c of checks) {
    let problem: string | null;
    try {
      problem = c.check();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem !== null) ready = false;
    out[c.name] = problem ?? 'ok';
  }
  return { ready, checks: out };
}

/** A SQLite file the process keeps open for its whole life (better-sqlite3's `open`). */
export const sqliteOpen = (file: string, db: { readonly open: boolean }): ReadinessCheck => ({
  name: `sqlite ${file}`,
  check: () => (db.open ? null : `${file} is closed`),
});
