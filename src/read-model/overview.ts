import { z } from 'zod';
import { cancellationReason, ReservationCreated, reservationStatus } from '../modules/reservation/contracts/events';
import { SAGA_STATES, type SagaState } from '../saga/definition';
import { causalRank, type Facts } from './facts';

/**
 * The payment's status as its events tell it. CHARGING is never announced, so a charge under way shows
 * as null; REFUND_PENDING while more refunds were asked for than answered.
 */
export const overviewPaymentStatus = z.enum(['CAPTURED', 'DECLINED', 'REFUND_PENDING', 'REFUNDED', 'CANCELLED']);
export type OverviewPaymentStatus = z.infer<typeof overviewPaymentStatus>;

/** One reservation joined with its payment, its saga's state and the time of every step. */
export const overviewSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  resourceId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  paymentDeadline: z.string(),
  status: reservationStatus,
  cancellationReason: cancellationReason.nullable(),
  cancellationNote: z.string().nullable(),
  payment: z.object({
    paymentId: z.string().nullable(),
    status: overviewPaymentStatus.nullable(),
    capturedAmount: z.number().int(),
    refundedAmount: z.number().int(),
    declineCode: z.string().nullable(),
  }),
  sagaState: z.enum(SAGA_STATES).nullable(),
  /** When each step happened: event type (e.g. `payment.PaymentSucceeded`) → its occurredAt. */
  steps: z.record(z.string(), z.string()),
  createdAt: z.string(),
  /** The time of the latest step. */
  updatedAt: z.string(),
});
export type Overview = z.infer<typeof overviewSchema>;

function paymentStatusOf(f: Facts): OverviewPaymentStatus | null {
  if (f.declined) return 'DECLINED';
  if (f.refundRequests > f.refunds + f.voids) return 'REFUND_PENDING';
  if (f.refunded > 0 || (f.voids > 0 && f.captured > 0)) return 'REFUNDED';
  if (f.voids > 0) return 'CANCELLED';
  if (f.captured > 0) return 'CAPTURED';
  return null;
}

/**
 * A capture whose answer was lost is reconciled by payment at refund time without a PaymentSucceeded:
 * the events show it only as the refund, and the provider cannot refund more than it captured.
 */
const capturedOf = (f: Facts): number => Math.max(f.captured, f.refunded);

/** The rules SQLite applies to the stored facts too (the generated columns in schema.ts; a test holds them equal). */
const reservationStatusOf = (f: Facts): Overview['status'] | null => (!f.reservation ? null : f.cancelled ? 'CANCELLED' : f.confirmedWith ? 'CONFIRMED' : 'PENDING');

/** The answer for one row; null while ReservationCreated is not known yet. */
export function toOverview(f: Facts, sagaState: SagaState | null): Overview | null {
  const r = f.reservation;
  const status = reservationStatusOf(f);
  if (!r || !status) return null;
  // Oldest first (ties in causal order), so an answer does not depend on the order the events arrived in.
  const rank = (t: string) => causalRank.get(t) ?? Number.MAX_SAFE_INTEGER;
  const steps = Object.entries(f.at).sort(([ta, a], [tb, b]) => (a < b ? -1 : a > b ? 1 : rank(ta) - rank(tb)));
  return {
    id: f.reservationId,
    ...r,
    status,
    cancellationReason: f.cancelled?.reason ?? null,
    cancellationNote: f.cancelled?.note ?? null,
    payment: { paymentId: f.confirmedWith ?? f.paymentId, status: paymentStatusOf(f), capturedAmount: capturedOf(f), refundedAmount: f.refunded, declineCode: f.declined?.code ?? null },
    sagaState,
    steps: Object.fromEntries(steps),
    createdAt: f.at[ReservationCreated.type] ?? '',
    updatedAt: steps[steps.length - 1]?.[1] ?? '',
  };
}
