import { z } from 'zod';
import type { Clock } from '../../../platform/clock';
import { NotFoundError } from '../../../platform/errors';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { execute } from './execute';

export const cancelReservationInput = z
  .object({ id: z.string().min(1).max(100), reason: z.string().max(500).optional() })
  .strict();
export type CancelReservationInput = z.input<typeof cancelReservationInput>;

/**
 * A customer cancels a PENDING or CONFIRMED reservation (cancelling a cancelled one is a no-op).
 * ReservationCancelled makes payment refund whatever was captured.
 */
export function cancelReservation(store: ReservationStore, clock: Clock) {
  const run = (id: string) => {
    if (!store.view.get(id)) throw new NotFoundError(`no reservation with id "${id}"`);
    return execute(store, id, { kind: 'Cancel', reservationId: id, reason: 'CUSTOMER_CANCELLED' }, clock.now(), { correlationId: id }).events;
  };
  return async (raw: CancelReservationInput): Promise<{ reservation: ReservationRecord; changed: boolean }> => {
    const { id } = cancelReservationInput.parse(raw);
    const events = await store.write(() => run(id));
    return { reservation: store.view.get(id) as ReservationRecord, changed: events.length > 0 };
  };
}
