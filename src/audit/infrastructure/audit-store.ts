import { openDatabase, type Db } from '../../platform/sqlite';
import type { Finding } from '../find-divergences';

const AUDIT_SQL = `
CREATE TABLE audit_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  reservations INTEGER NOT NULL,
  violations INTEGER NOT NULL,
  in_flight INTEGER NOT NULL
);
CREATE TABLE audit_findings (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  resolved_at TEXT
);
CREATE TABLE audit_trail (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  repair TEXT NOT NULL,
  outcome TEXT NOT NULL
);
`;

export interface TrailEntry {
  at: string;
  findingId: string;
  repair: string;
  outcome: string;
}

/** audit.db: each run, each finding with when it was first and last seen, and the trail of repairs an operator triggered. */
export class AuditStore {
  private readonly st;

  constructor(readonly db: Db) {
    this.st = {
      run: db.prepare('INSERT INTO audit_runs (at, reservations, violations, in_flight) VALUES (?, ?, ?, ?)'),
      seen: db.prepare(
        `INSERT INTO audit_findings (id, kind, reservation_id, detail, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET detail = excluded.detail, last_seen_at = excluded.last_seen_at, resolved_at = NULL,
           first_seen_at = CASE WHEN audit_findings.resolved_at IS NULL THEN audit_findings.first_seen_at ELSE excluded.first_seen_at END`,
      ),
      open: db.prepare<[], { id: string }>('SELECT id FROM audit_findings WHERE resolved_at IS NULL'),
      resolve: db.prepare('UPDATE audit_findings SET resolved_at = ? WHERE id = ?'),
      firstSeen: db.prepare<[string], string>('SELECT first_seen_at FROM audit_findings WHERE id = ?').pluck(),
      trail: db.prepare('INSERT INTO audit_trail (at, finding_id, repair, outcome) VALUES (?, ?, ?, ?)'),
      trailAll: db.prepare<[number], TrailEntry>('SELECT at, finding_id AS findingId, repair, outcome FROM audit_trail ORDER BY id DESC LIMIT ?'),
    };
  }

  static open(file: string): AuditStore {
    return new AuditStore(openDatabase(file, [AUDIT_SQL]));
  }

  /** Records a run: findings seen now stay open (first seen kept), findings no longer seen are resolved. */
  recordRun(at: string, reservations: number, findings: readonly Finding[]): Map<string, string> {
    const firstSeen = new Map<string, string>();
    this.db.transaction(() => {
      const now = new Set(findings.map((f) => f.id));
      for (const { id } of this.st.open.all()) if (!now.has(id)) this.st.resolve.run(at, id);
      for (const f of findings) {
        this.st.seen.run(f.id, f.kind, f.reservationId, f.detail, at, at);
        firstSeen.set(f.id, this.st.firstSeen.get(f.id) ?? at);
      }
      this.st.run.run(at, reservations, findings.filter((f) => !f.inFlight).length, findings.filter((f) => f.inFlight).length);
    })();
    return firstSeen;
  }

  addTrail(e: TrailEntry): void {
    this.st.trail.run(e.at, e.findingId, e.repair, e.outcome);
  }

  trail(limit = 100): TrailEntry[] {
    return this.st.trailAll.all(limit);
  }

  close(): void {
    this.db.close();
  }
}
