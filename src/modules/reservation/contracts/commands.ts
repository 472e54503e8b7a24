import { z } from 'zod';
import { defineContract } from '../../../platform/contract';

/**
 * Commands the reservation module handles, sent by the saga's orchestrator (orchestration mode). In
 * choreography mode the same handlers run on the payment events the saga definition maps to them.
 */

/** The payment was captured: confirm the reservation (a no-op unless it is still PENDING). */
export const ConfirmReservation = defineContract(
  'reservation.ConfirmReservation',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1) }),
);

/** Release the slot of a PENDING reservation because its payment was declined or its deadline passed. */
export const CancelReservation = defineContract(
  'reservation.CancelReservation',
  1,
  z.object({ reservationId: z.string().min(1), reason: z.enum(['PAYMENT_DECLINED', 'PAYMENT_TIMEOUT']) }),
);

export const reservationCommands = [ConfirmReservation, CancelReservation] as const;
