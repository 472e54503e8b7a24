import { z } from 'zod';
import { defineContract } from '../../../platform/contract';

const minorUnits = z.number().int().positive();
const currency = z.string().regex(/^[A-Z]{3}$/);

/**
 * Commands the payment module handles, sent by the saga's orchestrator (orchestration mode). In
 * choreography mode the same handlers run on the reservation events the saga definition maps to them.
 */

/** Charge the reservation's amount once (the reservation id is the provider's idempotency key). */
export const ChargePayment = defineContract(
  'payment.ChargePayment',
  1,
  z.object({ reservationId: z.string().min(1), amount: minorUnits, currency, paymentToken: z.string().min(1) }),
  { sensitive: ['paymentToken'] },
);

/**
 * Compensation of the charge: end with nothing kept by the provider for this reservation. Safe to repeat;
 * answered by PaymentRefunded (money went back) or PaymentVoided (nothing was, or is any longer, kept).
 */
export const RefundPayment = defineContract('payment.RefundPayment', 1, z.object({ reservationId: z.string().min(1) }));

export const paymentCommands = [ChargePayment, RefundPayment] as const;
