import { FakeClock } from '../../src/bus/testing/fake-clock';
import { buildApp } from '../../src/compose';
import { loadConfig } from '../../src/config';
import type { CancellationReason } from '../../src/modules/reservation/contracts/events';
import { silentLogger } from '../../src/platform/logger';
import type { SagaMode } from '../../src/saga/definition';
import { findViolations } from '../scenarios/invariants';
import type { Intent } from './steady-load';

export interface FinalCheck {
  /** Every broken invariant or expectation, said so that it can be looked up; empty when all hold. */
  violations: string[];
  sagas: { total: number; confirmed: number; cancelled: Record<CancellationReason, number> };
  deadLetters: { total: number; open: number };
}

/**
 * The chaos run's verdict, read from the files the stopped processes left in `dataDir`: the
 * architecture's invariants (`findViolations`; the consistency auditor of src/audit/ replaces that one
 * call when it lands), then what the load was told: every answered create is there exactly once, a
 * declined card or an answered cancellation ended CANCELLED, an approved card CONFIRMED unless its
 * payment deadline passed during a fault. A dead letter still open after healing is a violation too.
 */
export async function finalCheck(dataDir: string, mode: SagaMode, intents: readonly Intent[]): Promise<FinalCheck> {
  const app = buildApp(loadConfig({ DATA_DIR: dataDir, SAGA_MODE: mode, LOG_LEVEL: 'silent' }), { clock: new FakeClock(), logger: silentLogger });
  try {
    const violations = findViolations(app, app.provider?.ledger() ?? new Map(), { allTerminal: true });
    const sagas: FinalCheck['sagas'] = { total: 0, confirmed: 0, cancelled: { PAYMENT_DECLINED: 0, PAYMENT_TIMEOUT: 0, CUSTOMER_CANCELLED: 0 } };
    const answered = intents.filter((i) => i.id !== null);
    const rows = app.reservation.store.db.prepare('SELECT COUNT(*) FROM reservations').pluck().get() as number;
    if (rows !== answered.length) violations.push(`${rows} reservations in reservation.db, but ${answered.length} creates were answered (each key once)`);
    for (const intent of answered) {
      const r = app.reservation.store.view.get(intent.id as string);
      if (!r) {
        violations.push(`answered create ${intent.index} (${intent.id}) is not in reservation.db`);
        continue;
      }
      sagas.total++;
      if (r.status === 'CONFIRMED') sagas.confirmed++;
      else if (r.status === 'CANCELLED' && r.cancellationReason) sagas.cancelled[r.cancellationReason]++;
      const wrong = unexpectedEnd(intent, r.status, r.cancellationReason);
      if (wrong) violations.push(`reservation ${r.id} (create ${intent.index}, token ${intent.token}${intent.cancel === 'done' ? ', cancelled by the customer' : ''}) ${wrong}`);
    }
    const open = app.deadLetters.list({ status: 'open', limit: 500 }).items;
    for (const d of open) violations.push(`dead letter ${d.id} (${d.type} for ${d.group}) still open after healing: ${d.errorMessage}`);
    const total = app.deadLetters.list({ limit: 500 }).items.length;
    return { violations, sagas, deadLetters: { total, open: open.length } };
  } finally {
    await app.stop();
  }
}

/** Why this end state is not one the request could have had, or null when it could. */
function unexpectedEnd(intent: Intent, status: string, reason: CancellationReason | null): string | null {
  if (intent.cancel === 'done') return status === 'CANCELLED' ? null : `ended ${status}`;
  if (status !== 'CONFIRMED' && status !== 'CANCELLED') return `ended ${status}`;
  // The deadline may pass while a fault holds the charge up: PAYMENT_TIMEOUT is a right end for any card.
  if (intent.token === 'decline') return status === 'CANCELLED' && reason !== 'CUSTOMER_CANCELLED' ? null : `ended ${status} ${reason ?? ''}`.trim();
  if (status === 'CANCELLED' && reason !== 'PAYMENT_TIMEOUT') return `ended CANCELLED ${reason ?? ''}`.trim();
  return null;
}
