import { z } from 'zod';
import { defineContract } from '../../../platform/contract';

export const reservationStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export type ReservationStatus = z.infer<typeof reservationStatus>;

export const cancellationReason = z.enum(['PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER_CANCELLED']);
export type CancellationReason = z.infer<typeof cancellationReason>;

const isoDateTime = z.iso.datetime();
const minorUnits = z.number().int().positive();
const currency = z.string().regex(/^[A-Z]{3}$/);

/** Where a reservation was made. Before v2 of ReservationCreated the API was the only way in. */
export const reservationChannel = z.enum(['web', 'phone', 'partner', 'api']);
export type ReservationChannel = z.infer<typeof reservationChannel>;
/** The channel of a reservation made before channels were recorded, and of an API call that names none. */
export const DEFAULT_CHANNEL: ReservationChannel = 'api';

const createdV1 = {
  reservationId: z.string().min(1),
  customerId: z.string().min(1),
  resourceId: z.string().min(1),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  amount: minorUnits,
  currency,
  paymentToken: z.string().min(1),
  paymentDeadline: isoDateTime,
};

/** v1 of ReservationCreated: no longer written, still read from older streams and messages, lifted to v2. */
export const ReservationCreatedV1 = defineContract('reservation.ReservationCreated', 1, z.object(createdV1), { sensitive: ['paymentToken'] });

/**
 * A reservation now holds its slot and waits for payment until `paymentDeadline`. v2 adds the required
 * `channel`: a v1 payload is no valid v2 payload, hence the new version and the upcaster (every v1
 * reservation came through the API, so 'api' is what was true).
 */
export const ReservationCreated = defineContract('reservation.ReservationCreated', 2, z.object({ ...createdV1, channel: reservationChannel }), {
  sensitive: ['paymentToken'],
  upcastFrom: { from: ReservationCreatedV1, up: (v1) => ({ ...v1, channel: DEFAULT_CHANNEL }) },
});

export const ReservationConfirmed = defineContract(
  'reservation.ReservationConfirmed',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1) }),
);

/** The slot is released; whatever the customer paid must be refunded. */
export const ReservationCancelled = defineContract(
  'reservation.ReservationCancelled',
  1,
  z.object({
    reservationId: z.string().min(1),
    reason: cancellationReason,
    previousStatus: z.enum(['PENDING', 'CONFIRMED']),
    /** The customer's own words, when they gave any (added without a version bump: optional, so old events still parse). */
    note: z.string().max(500).optional(),
  }),
);

/** The versions this module writes (older ones are read through their upcasters). */
export const reservationContracts = [ReservationCreated, ReservationConfirmed, ReservationCancelled] as const;
