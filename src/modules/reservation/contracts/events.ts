import { z } from 'zod';
import { defineContract } from '../../../platform/contract';

export const reservationStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export type ReservationStatus = z.infer<typeof reservationStatus>;

export const cancellationReason = z.enum(['PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER_CANCELLED']);
export type CancellationReason = z.infer<typeof cancellationReason>;

const isoDateTime = z.iso.datetime();
const minorUnits = z.number().int().positive();
const currency = z.string().regex(/^[A-Z]{3}$/);

/** A reservation now holds its slot and waits for payment until `paymentDeadline`. */
export const ReservationCreated = defineContract(
  'reservation.ReservationCreated',
  1,
  z.object({
    reservationId: z.string().min(1),
    customerId: z.string().min(1),
    resourceId: z.string().min(1),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    amount: minorUnits,
    currency,
    paymentToken: z.string().min(1),
    paymentDeadline: isoDateTime,
  }),
  { sensitive: ['paymentToken'] },
);

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

export const reservationContracts = [ReservationCreated, ReservationConfirmed, ReservationCancelled] as const;
