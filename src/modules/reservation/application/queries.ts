import { z } from 'zod';
import { iso } from '../../../platform/clock';
import { NotFoundError } from '../../../platform/errors';
import { reservationStatus } from '../contracts/events';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { reservationAsOf } from './reservation-as-of';

export const getReservationInput = z
  .object({
    id: z.string().min(1).max(100),
    /** Optional: the state at this instant, folded from the stream; without it, the current state (read-your-writes). */
    asOf: z.iso
      .datetime({ offset: true, error: 'asOf must be an ISO 8601 instant with a time zone, e.g. 2031-01-01T10:00:00Z or 2031-01-01T12:00:00+02:00' })
      .transform((s) => iso(Date.parse(s)))
      .optional(),
  })
  .strict();
export type GetReservationInput = z.input<typeof getReservationInput>;

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
  const asOf = reservationAsOf(store);
  return (raw: GetReservationInput): ReservationRecord => {
    const input = getReservationInput.parse(raw);
    if (input.asOf !== undefined) return asOf(input.id, input.asOf);
    const r = store.view.get(input.id);
    if (!r) throw new NotFoundError(`no reservation with id "${input.id}"`);
    return r;
  };
}

export function listReservations(store: ReservationStore) {
  return (raw: z.input<typeof listReservationsInput>) => store.view.list(listReservationsInput.parse(raw));
}
