import type { z } from 'zod';
import type { Decider } from '../../../platform/decider';
import { CategorizedError, type ErrorCategory } from '../../../platform/errors';
import type { CancellationReason, ReservationCancelled, ReservationChannel, ReservationConfirmed, ReservationCreated, ReservationStatus } from '../contracts/events';

type Data<C extends { schema: z.ZodType }> = z.infer<C['schema']>;

export type ReservationEvent =
  | { type: 'ReservationCreated'; data: Data<typeof ReservationCreated> }
  | { type: 'ReservationConfirmed'; data: Data<typeof ReservationConfirmed> }
  | { type: 'ReservationCancelled'; data: Data<typeof ReservationCancelled> };

export interface Reservation {
  id: string;
  status: ReservationStatus;
  customerId: string;
  resourceId: string;
  startsAt: string;
  endsAt: string;
  amount: number;
  currency: string;
  paymentDeadline: string;
  /** Where it was made ('api' for every reservation made before channels were recorded). */
  channel: ReservationChannel;
  paymentId: string | null;
  cancellationReason: CancellationReason | null;
  /** Free text the customer gave when cancelling, if any. */
  cancellationNote: string | null;
}

/** A stream with no events yet is `null`. */
export type ReservationState = Reservation | null;

export type ReservationCommand =
  | { kind: 'Create'; data: Data<typeof ReservationCreated> }
  | { kind: 'Confirm'; reservationId: string; paymentId: string }
  | { kind: 'Cancel'; reservationId: string; reason: CancellationReason; note?: string };

const CATEGORY = { 'already-exists': 'conflict', 'not-found': 'not-found', 'invalid-period': 'invalid' } as const;

export class ReservationRuleBroken extends CategorizedError {
  override name = 'ReservationRuleBroken';
  readonly category: ErrorCategory;
  constructor(
    readonly rule: keyof typeof CATEGORY,
    message: string,
  ) {
    super(message);
    this.category = CATEGORY[rule];
  }
}

export function evolve(state: ReservationState, event: ReservationEvent): ReservationState {
  switch (event.type) {
    case 'ReservationCreated': {
      const { reservationId, paymentToken: _token, ...rest } = event.data;
      return { id: reservationId, status: 'PENDING', paymentId: null, cancellationReason: null, cancellationNote: null, ...rest };
    }
    case 'ReservationConfirmed':
      return state && { ...state, status: 'CONFIRMED', paymentId: event.data.paymentId };
    case 'ReservationCancelled':
      return state && { ...state, status: 'CANCELLED', cancellationReason: event.data.reason, cancellationNote: event.data.note ?? null };
  }
}

/**
 * The reservation's rules. Every outcome a late or repeated message can bring is decided here:
 * a confirmation after a cancellation changes nothing (payment refunds on its own side), system
 * cancellations apply only to PENDING, and a customer may cancel PENDING or CONFIRMED.
 */
export function decide(command: ReservationCommand, state: ReservationState): ReservationEvent[] {
  if (command.kind === 'Create') {
    if (state) throw new ReservationRuleBroken('already-exists', `reservation ${state.id} already exists`);
    if (command.data.endsAt <= command.data.startsAt) throw new ReservationRuleBroken('invalid-period', 'endsAt must be after startsAt');
    return [{ type: 'ReservationCreated', data: command.data }];
  }
  if (!state) throw new ReservationRuleBroken('not-found', `no reservation with id "${command.reservationId}"`);
  if (command.kind === 'Confirm') {
    return state.status === 'PENDING'
      ? [{ type: 'ReservationConfirmed', data: { reservationId: state.id, paymentId: command.paymentId } }]
      : [];
  }
  const cancellable = command.reason === 'CUSTOMER_CANCELLED' ? state.status !== 'CANCELLED' : state.status === 'PENDING';
  if (!cancellable || state.status === 'CANCELLED') return [];
  const data = { reservationId: state.id, reason: command.reason, previousStatus: state.status };
  return [{ type: 'ReservationCancelled', data: command.note === undefined ? data : { ...data, note: command.note } }];
}

export const replay = (events: readonly ReservationEvent[]): ReservationState => events.reduce<ReservationState>(evolve, null);

export const reservationDecider: Decider<ReservationCommand, ReservationEvent, ReservationState> = { decide, evolve, initialState: null };
