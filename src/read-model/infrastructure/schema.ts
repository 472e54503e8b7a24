import { INBOX_SQL } from '../../bus/inbox/inbox';

/**
 * read-model.db. Every row belongs to a generation (`gen`): the live one answers queries, a rebuild
 * fills the next one beside it, and switching is one update of `live_generation`. So a rebuild needs no
 * second file, no table renames and no DDL at run time, and one that stops half-way leaves rows nobody
 * reads until it resumes or they are collected. The inbox keeps its records per generation too (group
 * `read-model/<gen>`), so a new generation absorbs every event its rebuild has folded already.
 */
export const READ_MODEL_MIGRATIONS = [
  `
CREATE TABLE overview (
  gen INTEGER NOT NULL,
  id TEXT NOT NULL,
  -- From ReservationCreated; null while it has not arrived (a payment event may come first): not shown.
  customer_id TEXT,
  resource_id TEXT,
  starts_at TEXT,
  ends_at TEXT,
  amount INTEGER,
  currency TEXT,
  payment_deadline TEXT,
  -- The other facts (facts.ts), one column each, merged by the statements in overview-table.ts.
  confirmed_with TEXT,
  cancel_reason TEXT,
  cancel_previous TEXT,
  cancel_note TEXT,
  payment_id TEXT,
  captured INTEGER NOT NULL DEFAULT 0,
  refunded INTEGER NOT NULL DEFAULT 0,
  decline_code TEXT,
  decline_message TEXT,
  refund_requests INTEGER NOT NULL DEFAULT 0,
  refunds INTEGER NOT NULL DEFAULT 0,
  voids INTEGER NOT NULL DEFAULT 0,
  -- When each step first happened.
  at_created TEXT,
  at_succeeded TEXT,
  at_failed TEXT,
  at_confirmed TEXT,
  at_cancelled TEXT,
  at_refund_requested TEXT,
  at_refunded TEXT,
  at_voided TEXT,
  -- What queries filter on, derived by SQLite from the facts (the rules of overview.ts; a test holds them equal).
  status TEXT GENERATED ALWAYS AS (
    CASE WHEN customer_id IS NULL THEN NULL WHEN cancel_reason IS NOT NULL THEN 'CANCELLED' WHEN confirmed_with IS NOT NULL THEN 'CONFIRMED' ELSE 'PENDING' END
  ) STORED,
  payment_status TEXT GENERATED ALWAYS AS (
    CASE WHEN decline_code IS NOT NULL THEN 'DECLINED' WHEN refund_requests > refunds + voids THEN 'REFUND_PENDING'
         WHEN refunded > 0 OR (voids > 0 AND captured > 0) THEN 'REFUNDED' WHEN voids > 0 THEN 'CANCELLED' WHEN captured > 0 THEN 'CAPTURED' END
  ) VIRTUAL,
  PRIMARY KEY (gen, id)
) WITHOUT ROWID;
-- Only status is indexed. Every index costs the projector's writes, and the ones on customer and resource
-- cost the saga ~5% of its rate in the bench (a new reservation dirties a page of each per commit): the
-- other filters walk the generation newest first, which is cheap for recent rows and slow for rare ones.
CREATE INDEX overview_by_status ON overview (gen, status, id);
-- The checkpoint: how many events of each source a generation has applied.
CREATE TABLE feed (
  gen INTEGER NOT NULL,
  source TEXT NOT NULL,
  applied INTEGER NOT NULL,
  PRIMARY KEY (gen, source)
) WITHOUT ROWID;
INSERT INTO feed VALUES (1, 'reservation', 0), (1, 'payment', 0);
CREATE TABLE live_generation (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);
INSERT INTO live_generation VALUES (1, 1);
CREATE TABLE rebuilds (
  gen INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('running', 'interrupted', 'done', 'abandoned')),
  positions TEXT NOT NULL, -- JSON: source → the last position folded
  folded INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT
);
${INBOX_SQL}`,
];
