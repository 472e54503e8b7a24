import { errorCode, trpc } from './api/client';
import { rowOfOverview, type Row } from './rows';

export interface Match {
  id: string;
  by: 'reservation id' | 'customer id' | 'payment id' | 'correlation id' | 'message id';
  row: Row;
}

const SCAN = 200;
const SCAN_STEPS = 50;
const fulfilled = <T>(r: PromiseSettledResult<T>): T | null => (r.status === 'fulfilled' ? r.value : null);

/**
 * Finds reservations by reservation, customer, payment, correlation or message id, through the read model
 * (overview.get / overview.list). The calls of each round are made together, so they travel as one batch:
 * a "not found" among them is not a failed request. The read model does not index payment, correlation or
 * message ids: payment ids are matched among the newest 200 overview rows, correlation and message ids in
 * the step logs of the newest 50 sagas.
 */
export async function searchReservations(query: string): Promise<Match[]> {
  const q = query.trim();
  if (!q || q.length > 100) return [];
  const [byId, byCustomer, newest] = await Promise.allSettled([
    trpc.overview.get.query({ id: q }).then((a) => a.item),
    trpc.overview.list.query({ customerId: q, limit: 50 }).then((p) => p.items),
    trpc.overview.list.query({ limit: SCAN }).then((p) => p.items),
  ]);
  // A real failure (not "no such reservation") is said, not shown as "nothing found".
  for (const r of [byId, byCustomer, newest]) if (r.status === 'rejected' && errorCode(r.reason) !== 'NOT_FOUND') throw r.reason;
  const matches = new Map<string, Match>();
  const add = (m: Match) => {
    if (!matches.has(m.id)) matches.set(m.id, m);
  };
  const one = fulfilled(byId);
  if (one) add({ id: one.id, by: 'reservation id', row: rowOfOverview(one) });
  for (const r of fulfilled(byCustomer) ?? []) add({ id: r.id, by: 'customer id', row: rowOfOverview(r) });
  const recent = fulfilled(newest) ?? [];
  for (const r of recent) if (r.payment.paymentId === q) add({ id: r.id, by: 'payment id', row: rowOfOverview(r) });
  if (matches.size > 0) return [...matches.values()];

  const sagas = await Promise.allSettled(recent.slice(0, SCAN_STEPS).map((r) => trpc.saga.get.query({ reservationId: r.id })));
  for (const s of sagas) {
    const saga = fulfilled(s);
    if (!saga) continue;
    const row = recent.find((r) => r.id === saga.reservationId);
    if (!row) continue;
    if (saga.steps.some((st) => st.correlationId === q)) add({ id: saga.reservationId, by: 'correlation id', row: rowOfOverview(row) });
    else if (saga.steps.some((st) => st.messageId === q || st.causationId === q)) add({ id: saga.reservationId, by: 'message id', row: rowOfOverview(row) });
  }
  return [...matches.values()];
}
