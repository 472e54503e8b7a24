import type { App } from '../../src/app';

/**
 * The read model after settling: it equals a fresh fold of both modules' histories, has nothing left
 * to apply, and agrees with the write sides (reservation status, the saga's state, payment's books).
 * Empty where it does not run (split process, READ_MODEL=off).
 */
export function readModelViolations(app: App): string[] {
  if (app.config.READ_MODEL === 'off' || !app.runs('reservation') || !app.runs('payment')) return [];
  const rm = app.readModel;
  const problems: string[] = [];
  const rows = rm.rows();
  const fresh = new Map(rm.foldHistories().map((r) => [r.id, r]));
  if (rows.length !== fresh.size) problems.push(`read model has ${rows.length} reservations, a fresh fold of the histories ${fresh.size}`);
  const { lag } = rm.freshness();
  if (lag.events !== 0 || lag.ms !== 0) problems.push(`read model still lags after settling: ${JSON.stringify(lag)}`);
  for (const row of rows) {
    const want = fresh.get(row.id);
    if (JSON.stringify(row) !== JSON.stringify(want)) problems.push(`overview ${row.id} is ${JSON.stringify(row)}, a fresh fold gives ${JSON.stringify(want)}`);
    const r = app.reservation.store.view.get(row.id);
    if (!r || r.status !== row.status || r.cancellationReason !== row.cancellationReason) problems.push(`overview ${row.id} says ${row.status}/${row.cancellationReason}, reservation.db ${r?.status}/${r?.cancellationReason}`);
    const saga = app.saga?.store.get(row.id);
    if (saga && saga.state !== row.sagaState) problems.push(`overview ${row.id} has saga state ${row.sagaState}, saga.get ${saga.state}`);
    const p = app.payment.store.get(row.id);
    if (p && p.status !== 'CHARGING') {
      const seen = { status: row.payment.status, captured: row.payment.capturedAmount, refunded: row.payment.refundedAmount };
      const books = { status: p.status, captured: p.capturedAmount, refunded: p.refundedAmount };
      if (JSON.stringify(seen) !== JSON.stringify(books)) problems.push(`overview ${row.id} has payment ${JSON.stringify(seen)}, payment.db ${JSON.stringify(books)}`);
    }
  }
  return problems;
}
