import { iso, type Clock } from '../../../platform/clock';
import type { ReservationStore } from '../infrastructure/reservation-store';
import { execute } from './execute';

const BATCH = 500;

/** Cancels every PENDING reservation whose payment deadline has passed (PAYMENT_TIMEOUT). Returns how many. */
export function expireReservations(store: ReservationStore, clock: Clock) {
  const expireOne = store.transaction((id: string, now: number) =>
    execute(store, id, { kind: 'Cancel', reservationId: id, reason: 'PAYMENT_TIMEOUT' }, now, { correlationId: id }).events.length,
  );
  return (): number => {
    const now = clock.now();
    let expired = 0;
    for (;;) {
      const due = store.view.duePending(iso(now), BATCH);
      for (const id of due) expired += expireOne(id, now);
      if (due.length < BATCH) return expired;
    }
  };
}
