import { z } from 'zod';
import type { Clock } from '../../../platform/clock';
import { NotFoundError } from '../../../platform/errors';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { execute } from './execute';

export const cancelReservationInput = z
  .object({
    id: z.string().min(1).max(100),
    /** Free text, kept on the reservation as `cancellationNote` and sent with ReservationCancelled as `note`. */
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type CancelReservationInput = z.input<typeof cancelReservationInput>;

/**
 * A customer cancels a PENDING or CONFIRMED reservation (cancelling a cancelled one is a no-op).
 * ReservationCancelled makes payment refund whatever was captured.
 */
export function cancelReservation(store: ReservationStore, clock: Clock) {
  const run = (id: string, note: string | undefined) => {
    if (!store.view.get(id)) throw new NotFoundError(`no reservation with id "${id}"`);
    const command = { kind: 'Cancel', reservationId: id, reason: 'CUSTOMER_CANCELLED', ...(note ? { note } : {}) } as const;
    return execute(store, id, command, clock.now(), { correlationId: id }).events;
  };
  return async (raw: CancelReservationInput): Promise<{ reservation: ReservationRecord; changed: boolean }> => {
    const { id, reason } = cancelReservationInput.parse(raw);
    const events = await store.write(() => run(id, reason));
    return { reservation: store.view.get(id) as ReservationRecord, changed: events.length > 0 };
  };
}
