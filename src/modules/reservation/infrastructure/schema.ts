import { INBOX_SQL } from '../../../bus/inbox/inbox';

/**
 * reservation.db. `events` is the event store and, read from the relay checkpoint on, the outbox:
 * an event and its publication can never disagree. `reservations` is the current state for queries,
 * written in the same transaction as the events.
 */
export const RESERVATION_MIGRATIONS = [
  `
CREATE TABLE events (
  position INTEGER PRIMARY KEY, -- events are never deleted, so rowids only grow (no AUTOINCREMENT bookkeeping)
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  envelope TEXT NOT NULL,
  UNIQUE (stream_id, version)
);
CREATE TABLE relay_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
INSERT INTO relay_checkpoint VALUES (1, 0);
CREATE TABLE reservations (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  cancellation_reason TEXT,
  payment_deadline TEXT NOT NULL,
  payment_id TEXT,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX reservations_held_slots ON reservations (resource_id, starts_at) WHERE status IN ('PENDING', 'CONFIRMED');
CREATE INDEX reservations_deadlines ON reservations (payment_deadline) WHERE status = 'PENDING';
CREATE INDEX reservations_by_customer ON reservations (customer_id, id);
CREATE INDEX reservations_by_status ON reservations (status, id);
CREATE TABLE idempotency_keys (
  customer_id TEXT NOT NULL,
  key TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  PRIMARY KEY (customer_id, key)
) WITHOUT ROWID;
${INBOX_SQL}`,
  // 2: the customer's free-text reason for cancelling (before, `reservation.cancel` accepted it and dropped it).
  `ALTER TABLE reservations ADD COLUMN cancellation_note TEXT;`,
  // 3: where the reservation was made (ReservationCreated v2); rows from before were all made through the API.
  `ALTER TABLE reservations ADD COLUMN channel TEXT NOT NULL DEFAULT 'api';`,
];
