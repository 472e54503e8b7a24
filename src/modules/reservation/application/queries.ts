import { z } from 'zod';
import { NotFoundError } from '../../../platform/errors';
import { reservationStatus } from '../contracts/events';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';

export const getReservationInput = z.object({ id: z.string().min(1).max(100) }).strict();

export const listReservationsInput = z
  .object({
    status: reservationStatus.optional(),
    customerId: z.string().min(1).max(100).optional(),
    cursor: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

export type ListReservationsInput = z.input<typeof listReservationsInput>;

export function getReservation(store: ReservationStore) {
  return (raw: z.input<typeof getReservationInput>): ReservationRecord => {
    const { id } = getReservationInput.parse(raw);
    const r = store.view.get(id);
    if (!r) throw new NotFoundError(`no reservation with id "${id}"`);
    return r;
  };
}

export function listReservations(store: ReservationStore) {
  return (raw: z.input<typeof listReservationsInput>) => store.view.list(listReservationsInput.parse(raw));
}
