import { z } from 'zod';
import { defineContract } from '../../../platform/contract';

const minorUnits = z.number().int().positive();
const currency = z.string().regex(/^[A-Z]{3}$/);

/** The provider captured the full amount for the reservation. */
export const PaymentSucceeded = defineContract(
  'payment.PaymentSucceeded',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1), amount: minorUnits, currency }),
);

/** The provider declined the charge (a business outcome: retrying cannot change it). */
export const PaymentFailed = defineContract(
  'payment.PaymentFailed',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1), code: z.string().min(1), message: z.string() }),
);

/** Money taken for the reservation was given back (compensation of the charge). */
export const PaymentRefunded = defineContract(
  'payment.PaymentRefunded',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1), amount: minorUnits, currency }),
);

/**
 * The compensation found nothing to give back: nothing was captured, or what was captured is refunded
 * already. Answers every RefundPayment that moved no money, so the saga knows the payment side is settled.
 */
export const PaymentVoided = defineContract('payment.PaymentVoided', 1, z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1) }));

/** Payment's own command to itself: make the provider's net for this reservation zero. Durable, retried, dead-lettered like any message. */
export const RefundRequested = defineContract(
  'payment.RefundRequested',
  1,
  z.object({ reservationId: z.string().min(1), paymentId: z.string().min(1) }),
);

export const paymentContracts = [PaymentSucceeded, PaymentFailed, PaymentRefunded, PaymentVoided, RefundRequested] as const;
