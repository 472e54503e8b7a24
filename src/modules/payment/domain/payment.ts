/**
 * The payment side of the saga, as pure decisions. Money may only move through the provider; these
 * functions decide what the module records and announces after each step, so that for every
 * reservation the provider's net ends at the full amount (confirmed) or zero (cancelled).
 */
export type PaymentStatus = 'CHARGING' | 'CAPTURED' | 'DECLINED' | 'REFUND_PENDING' | 'REFUNDED' | 'CANCELLED';

export type ChargeOutcome = { outcome: 'captured'; amount: number; providerRef: string } | { outcome: 'declined'; code: string; message: string };

export type PaymentAnnouncement =
  | { type: 'PaymentSucceeded' }
  | { type: 'PaymentFailed'; code: string; message: string }
  | { type: 'RefundRequested' }
  | { type: 'PaymentRefunded'; amount: number };

export interface Transition {
  status: PaymentStatus;
  announce: PaymentAnnouncement[];
}

/** A ReservationCreated arrives: charge unless the payment was already decided (or the reservation already cancelled). */
export const shouldCharge = (status: PaymentStatus | null): boolean => status === null || status === 'CHARGING';

/**
 * The provider answered a charge. If the reservation was cancelled while the charge was in flight, a
 * capture is not kept: it becomes a refund (the late-success race).
 */
export function afterCharge(status: PaymentStatus, result: ChargeOutcome): Transition | null {
  if (status === 'CHARGING') {
    return result.outcome === 'captured'
      ? { status: 'CAPTURED', announce: [{ type: 'PaymentSucceeded' }] }
      : { status: 'DECLINED', announce: [{ type: 'PaymentFailed', code: result.code, message: result.message }] };
  }
  if (result.outcome === 'captured' && status !== 'CAPTURED') return { status: 'REFUND_PENDING', announce: [{ type: 'RefundRequested' }] };
  return null;
}

/**
 * The reservation was cancelled. Nothing charged yet: remember it so a late ReservationCreated never
 * charges. A charge in flight or captured: refund (the refund is net-based, so a charge that had not
 * captured yet costs nothing, and one that captures later is refunded by `afterCharge`).
 */
export function afterCancellation(status: PaymentStatus | null): Transition | null {
  if (status === null) return { status: 'CANCELLED', announce: [] };
  if (status === 'CHARGING' || status === 'CAPTURED') return { status: 'REFUND_PENDING', announce: [{ type: 'RefundRequested' }] };
  return null;
}

/** The provider refunded `refundedNow` (possibly 0: nothing was left to give back). */
export function afterRefund(capturedTotal: number, refundedNow: number): Transition {
  return {
    status: capturedTotal > 0 ? 'REFUNDED' : 'CANCELLED',
    announce: refundedNow > 0 ? [{ type: 'PaymentRefunded', amount: refundedNow }] : [],
  };
}
