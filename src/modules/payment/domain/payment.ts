import type { Decider } from '../../../platform/decider';

/**
 * The payment side of the saga as a decider. Money may only move through the provider; these rules
 * decide what the module records and announces after each step, so that for every reservation the
 * provider's net ends at the full amount (confirmed) or zero (cancelled).
 */
export type PaymentStatus = 'CHARGING' | 'CAPTURED' | 'DECLINED' | 'REFUND_PENDING' | 'REFUNDED' | 'CANCELLED';

export type ChargeOutcome = { outcome: 'captured'; amount: number; providerRef: string } | { outcome: 'declined'; code: string; message: string };

/**
 * What the decider needs of a payment; `null` before the first command reached it. `chargeStarted`: a
 * charge went (or may have gone) to the provider — false for a payment voided before it was ever charged.
 */
export type PaymentState = { status: PaymentStatus; chargeStarted?: boolean } | null;

export type PaymentCommand =
  /** A charge was asked for (ChargePayment, or ReservationCreated in choreography). */
  | { kind: 'StartCharge' }
  /** The provider answered the charge. */
  | { kind: 'RecordCharge'; result: ChargeOutcome }
  /** The compensation: nothing may stay with the provider (RefundPayment, or ReservationCancelled). */
  | { kind: 'Compensate' }
  /** The provider refunded `refundedNow` (possibly 0); `capturedTotal` is all it ever captured for the charge. */
  | { kind: 'RecordRefund'; capturedTotal: number; refundedNow: number };

/** Each event but ChargeStarted is announced on the bus under the contract of the same name. */
export type PaymentEvent =
  | { type: 'ChargeStarted' }
  | { type: 'PaymentSucceeded' }
  | { type: 'PaymentFailed'; code: string; message: string }
  | { type: 'RefundRequested' }
  | { type: 'PaymentRefunded'; amount: number }
  /** Nothing is kept by the provider; the payment settles (or stays) as `settledAs`. */
  | { type: 'PaymentVoided'; settledAs: SettledStatus };

type SettledStatus = 'DECLINED' | 'REFUNDED' | 'CANCELLED';

/** A charge goes to the provider for a new payment, and again after a crash mid-charge; never once decided. */
export const shouldCharge = (state: PaymentState): boolean => state === null || state.status === 'CHARGING';

/** Decided and settled at zero (or never charged): a repeated compensation only says so again. */
const isSettled = (s: PaymentStatus | null): s is SettledStatus => s === 'DECLINED' || s === 'REFUNDED' || s === 'CANCELLED';

export function decide(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  const status = state?.status ?? null;
  switch (command.kind) {
    case 'StartCharge':
      if (status === null) return [{ type: 'ChargeStarted' }];
      // The charge request came again after the payment was compensated. An earlier attempt may have
      // captured with its answer lost (and after the refund looked): refund whatever is left. The refund is
      // net-based and keyed by its own message, so when nothing was captured it moves no money.
      if (state?.chargeStarted && (status === 'REFUND_PENDING' || status === 'CANCELLED' || status === 'REFUNDED')) return [{ type: 'RefundRequested' }];
      return [];
    case 'RecordCharge': {
      const { result } = command;
      if (status === 'CHARGING') {
        return result.outcome === 'captured' ? [{ type: 'PaymentSucceeded' }] : [{ type: 'PaymentFailed', code: result.code, message: result.message }];
      }
      // The late-success race: the charge captured after the reservation was cancelled, so it is given back.
      return result.outcome === 'captured' && status !== null && status !== 'CAPTURED' ? [{ type: 'RefundRequested' }] : [];
    }
    case 'Compensate':
      // Not charged yet: remembered (as voided) so that a late ChargePayment never charges.
      if (status === null) return [{ type: 'PaymentVoided', settledAs: 'CANCELLED' }];
      // A charge in flight or captured: refund. The refund is net-based, so a charge that had not
      // captured yet costs nothing, and one that captures later is refunded by RecordCharge.
      if (status === 'CHARGING' || status === 'CAPTURED') return [{ type: 'RefundRequested' }];
      if (isSettled(status)) return [{ type: 'PaymentVoided', settledAs: status }];
      return []; // REFUND_PENDING: the refund under way will answer
    case 'RecordRefund':
      return command.refundedNow > 0
        ? [{ type: 'PaymentRefunded', amount: command.refundedNow }]
        : [{ type: 'PaymentVoided', settledAs: command.capturedTotal > 0 ? 'REFUNDED' : 'CANCELLED' }];
  }
}

export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'ChargeStarted':
      return { status: 'CHARGING' };
    case 'PaymentSucceeded':
      return { status: 'CAPTURED' };
    case 'PaymentFailed':
      return { status: 'DECLINED' };
    case 'RefundRequested':
      return { status: 'REFUND_PENDING' };
    case 'PaymentRefunded':
      return { status: 'REFUNDED' };
    case 'PaymentVoided':
      return { status: event.settledAs };
  }
}

export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState> = { decide, evolve, initialState: null };
