import { trpc, type Outputs } from './api/client';
import { overviewRowOf, pending, PENDING, type OverviewRow } from './api/pending';

type Reservation = Outputs['reservation']['get'];
export interface Match {
  id: string;
  by: 'reservation id' | 'customer id' | 'payment id' | 'correlation id' | 'message id';
  row: Reservation | OverviewRow;
}

const SCAN = 200;
const SCAN_STEPS = 50;
const fulfilled = <T>(r: PromiseSettledResult<T>): T | null => (r.status === 'fulfilled' ? r.value : null);

/**
 * Finds reservations by reservation, customer, payment, correlation or message id. The calls of each
 * round are made together, so they travel as one batch: a "not found" among them is not a failed request.
 * FALLBACK(overview): by reservation id and customer id through the read model when it is there, through
 * the reservation module otherwise; payment ids from the newest 200 reservations, correlation and message
 * ids from the step logs of the newest 50 sagas (the read model may take over these lookups once it indexes them).
 */
export async function searchReservations(query: string, has: (path: string) => boolean): Promise<Match[]> {
  const q = query.trim();
  if (!q || q.length > 100) return [];
  const overview = has(PENDING.overviewGet) && has(PENDING.overviewList);
  const [byId, byCustomer, newest] = await Promise.allSettled([
    overview ? pending.overviewGet(q).then(overviewRowOf) : trpc.reservation.get.query({ id: q }),
    overview ? pending.overviewList({ customerId: q, limit: 50 }).then((p) => p.items) : trpc.reservation.list.query({ customerId: q, limit: 50 }).then((p) => p.items),
    trpc.reservation.list.query({ limit: SCAN }).then((p) => p.items),
  ]);
  const matches = new Map<string, Match>();
  const add = (m: Match) => {
    if (!matches.has(m.id)) matches.set(m.id, m);
  };
  const one = fulfilled(byId);
  if (one) add({ id: one.id, by: 'reservation id', row: one });
  for (const r of fulfilled(byCustomer) ?? []) add({ id: r.id, by: 'customer id', row: r });
  const recent = fulfilled(newest) ?? [];
  for (const r of recent) if (r.paymentId === q) add({ id: r.id, by: 'payment id', row: r });
  if (matches.size > 0) return [...matches.values()];

  const sagas = await Promise.allSettled(recent.slice(0, SCAN_STEPS).map((r) => trpc.saga.get.query({ reservationId: r.id })));
  for (const s of sagas) {
    const saga = fulfilled(s);
    if (!saga) continue;
    const row = recent.find((r) => r.id === saga.reservationId);
    if (!row) continue;
    if (saga.steps.some((st) => st.correlationId === q)) add({ id: saga.reservationId, by: 'correlation id', row });
    else if (saga.steps.some((st) => st.messageId === q || st.causationId === q)) add({ id: saga.reservationId, by: 'message id', row });
  }
  return [...matches.values()];
}
