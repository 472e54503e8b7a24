import { expect } from 'vitest';
import type { App } from '../../src/app';
import type { LedgerEntry } from '../../src/modules/payment';
import { readModelViolations } from './read-model-check';

interface Row {
  id: string;
  resource_id: string;
  starts_at: string;
  ends_at: string;
  amount: number;
  status: string;
  payment_deadline: string;
}

/**
 * Invariant 3 of the architecture, checked against the module databases and the provider's ledger:
 * CONFIRMED ⇔ exactly one capture of the full amount and no refund; CANCELLED ⇒ net zero;
 * a slot is held by at most one PENDING or CONFIRMED reservation. Plus: nothing owed to the bus, and the
 * read model equals a fresh fold of all events (read-model-check.ts).
 */
export function checkInvariants(app: App, ledger: Map<string, LedgerEntry>, opts: { allTerminal?: boolean; readModel?: boolean } = {}): void {
  expect(findViolations(app, ledger, opts)).toEqual([]);
}

/** The same checks, as a list of what is wrong (empty when all hold). */
export function findViolations(app: App, ledger: Map<string, LedgerEntry>, opts: { allTerminal?: boolean; readModel?: boolean } = {}): string[] {
  const rows = app.reservation.store.db.prepare('SELECT * FROM reservations').all() as Row[];
  const problems: string[] = [];
  for (const r of rows) {
    const l = ledger.get(r.id);
    if (r.status === 'CONFIRMED') {
      if (!l || l.captures !== 1 || l.captured !== r.amount || l.refunded !== 0) problems.push(`CONFIRMED ${r.id} has ledger ${JSON.stringify(l)}`);
    }
    if (r.status === 'CANCELLED' && l && l.net !== 0) problems.push(`CANCELLED ${r.id} has net ${l.net}`);
    if (r.status === 'PENDING' && opts.allTerminal) problems.push(`${r.id} is still PENDING`);
    if (l && l.net < 0) problems.push(`${r.id} was refunded more than captured`);
  }
  const held = rows.filter((r) => r.status !== 'CANCELLED');
  for (const a of held) {
    for (const b of held) {
      if (a.id < b.id && a.resource_id === b.resource_id && a.starts_at < b.ends_at && b.starts_at < a.ends_at) problems.push(`${a.id} and ${b.id} hold the same slot`);
    }
  }
  for (const key of ledger.keys()) if (!rows.some((r) => r.id === key)) problems.push(`provider charged unknown key ${key}`);
  // The payment module's own books agree with the provider's ledger.
  for (const [key, l] of ledger) {
    const p = app.payment.store.get(key);
    if (p && (p.capturedAmount !== l.captured || p.refundedAmount !== l.refunded)) {
      problems.push(`payment ${key} records captured ${p.capturedAmount}/refunded ${p.refundedAmount}, provider ${l.captured}/${l.refunded}`);
    }
  }
  // The saga's own record agrees: one instance per reservation, ended in the same state (either mode).
  if (app.saga) {
    for (const r of rows) {
      const saga = app.saga.store.get(r.id);
      if (!saga) problems.push(`reservation ${r.id} (${r.status}) has no saga instance`);
      else if (opts.allTerminal && saga.state !== r.status) problems.push(`saga ${r.id} is ${saga.state} while the reservation is ${r.status}`);
    }
    if (app.saga.store.outbox.pending(0, 1).length > 0) problems.push('saga commands left undispatched');
  }
  if (app.reservation.store.events.pending(0, 1).length > 0) problems.push('reservation events left undispatched');
  if (app.payment.store.outbox.pending(0, 1).length > 0) problems.push('payment outbox rows left undispatched');
  // `readModel: false`: after a restore the read model may rightly hold what a restored file forgot.
  if (opts.readModel !== false) problems.push(...readModelViolations(app));
  return problems;
}

/** After settling, no module owes the bus anything. */
export function expectOutboxesDrained(app: App): void {
  expect(app.reservation.store.events.pending(0, 10)).toEqual([]);
  expect(app.payment.store.outbox.pending(0, 10)).toEqual([]);
}
