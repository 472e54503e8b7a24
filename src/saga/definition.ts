import type { Contract, PayloadOf } from '../platform/contract';
import { CancelReservation, ConfirmReservation } from '../modules/reservation/contracts/commands';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';
import { ChargePayment, RefundPayment } from '../modules/payment/contracts/commands';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided } from '../modules/payment/contracts/events';

/**
 * The reservation–payment saga, as the one definition both modes run. Orchestration: the process
 * manager (orchestrator.ts) applies `transitions` to each instance and sends the commands they name.
 * Choreography: `choreography` lists which event makes which module run which command, the modules
 * react to each other's events, and the observer applies the same `transitions` to keep the step log.
 * Read it top to bottom: states, steps with their compensations, the deadline, transitions, routes.
 */

export const SAGA_STATES = ['AWAITING_PAYMENT', 'CONFIRMING', 'CONFIRMED', 'COMPENSATING', 'CANCELLED'] as const;
export type SagaState = (typeof SAGA_STATES)[number];
export const SAGA_MODES = ['choreography', 'orchestration'] as const;
export type SagaMode = (typeof SAGA_MODES)[number];

export const states: Record<SagaState, { terminal: boolean; means: string }> = {
  AWAITING_PAYMENT: { terminal: false, means: 'the slot is held, the charge is asked for, the payment deadline is armed' },
  CONFIRMING: { terminal: false, means: 'the payment was captured, the reservation is being confirmed' },
  CONFIRMED: { terminal: true, means: 'the provider holds exactly one capture of the full amount and no refund' },
  COMPENSATING: { terminal: false, means: 'cancelled or failed: the compensations of the steps done so far are under way, last step first' },
  CANCELLED: { terminal: true, means: "the slot is released and the provider's net (captures − refunds) for the reservation is zero" },
};

export type StepName = 'hold-slot' | 'charge' | 'confirm';
export type CompensationName = 'release-slot' | 'refund' | 'cancel-confirmed';

/**
 * Forward steps in order; each names its compensation. `command` is what the orchestrator sends; the step
 * is completed once its `done` reply arrives.
 */
export const steps: Record<StepName, { owner: 'reservation' | 'payment'; command: Contract | null; replies: readonly Contract[]; done: Contract; compensation: CompensationName }> = {
  'hold-slot': { owner: 'reservation', command: null, replies: [ReservationCreated], done: ReservationCreated, compensation: 'release-slot' },
  charge: { owner: 'payment', command: ChargePayment, replies: [PaymentSucceeded, PaymentFailed], done: PaymentSucceeded, compensation: 'refund' },
  confirm: { owner: 'reservation', command: ConfirmReservation, replies: [ReservationConfirmed], done: ReservationConfirmed, compensation: 'cancel-confirmed' },
};

/** Every compensation is safe to repeat; any of its replies ends it. */
export const compensations: Record<CompensationName, { owner: 'reservation' | 'payment'; command: Contract; replies: readonly Contract[] }> = {
  'release-slot': { owner: 'reservation', command: CancelReservation, replies: [ReservationCancelled] },
  // A declined charge took nothing: its PaymentFailed settles the refund as well as a RefundPayment's answer.
  refund: { owner: 'payment', command: RefundPayment, replies: [PaymentRefunded, PaymentVoided, PaymentFailed] },
  'cancel-confirmed': { owner: 'reservation', command: CancelReservation, replies: [ReservationCancelled] },
};

/** The payment deadline: set on ReservationCreated, armed while AWAITING_PAYMENT, owned by one side per mode. */
export const deadline = {
  field: 'paymentDeadline',
  armedIn: 'AWAITING_PAYMENT' as SagaState,
  /** Where the timer lives: in choreography the reservation module's own (reservation.db); in orchestration saga.db. */
  owner: { choreography: 'reservation', orchestration: 'saga' } as Record<SagaMode, 'reservation' | 'saga'>,
};

export const DEADLINE = 'deadline' as const;
type On = Contract | typeof DEADLINE;

export interface Transition {
  from: readonly (SagaState | 'START')[];
  on: On | readonly On[];
  to: SagaState;
  /** The forward step this starts (its command is sent in orchestration). */
  forward?: StepName;
  /** This forward step failed: nothing of it needs compensating. */
  failed?: StepName;
  /**
   * Start compensating: completed steps in reverse order; a step still in flight (the charge) is
   * compensated once the slot is released, so a reservation that turns out confirmed is never refunded.
   * `released`: the trigger itself released the slot.
   */
  compensate?: { reason: 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | null; released: boolean };
  /** Replies that end pending compensations (and may make the next one due); with none left the saga is CANCELLED. */
  answers?: boolean;
  /** Only while nothing but the slot's release is pending: the reservation was confirmed before the release reached it. */
  whenOnlyReleasePending?: boolean;
}

export const transitions: readonly Transition[] = [
  { from: ['START'], on: ReservationCreated, to: 'AWAITING_PAYMENT', forward: 'charge' },
  { from: ['AWAITING_PAYMENT'], on: PaymentSucceeded, to: 'CONFIRMING', forward: 'confirm' },
  { from: ['AWAITING_PAYMENT', 'CONFIRMING'], on: ReservationConfirmed, to: 'CONFIRMED' },
  { from: ['AWAITING_PAYMENT'], on: PaymentFailed, to: 'COMPENSATING', failed: 'charge', compensate: { reason: 'PAYMENT_DECLINED', released: false } },
  { from: ['AWAITING_PAYMENT'], on: DEADLINE, to: 'COMPENSATING', compensate: { reason: 'PAYMENT_TIMEOUT', released: false } },
  { from: ['AWAITING_PAYMENT', 'CONFIRMING', 'CONFIRMED'], on: ReservationCancelled, to: 'COMPENSATING', compensate: { reason: null, released: true } },
  { from: ['COMPENSATING'], on: [ReservationCancelled, PaymentRefunded, PaymentVoided, PaymentFailed], to: 'CANCELLED', answers: true },
  { from: ['COMPENSATING'], on: ReservationConfirmed, to: 'CONFIRMED', whenOnlyReleasePending: true },
];

/** What the saga keeps per instance (saga.db). The payment token is never kept: ChargePayment is built from the event. */
export interface SagaData {
  reservationId: string;
  amount: number;
  currency: string;
  paymentDeadline: string;
  paymentId: string | null;
  /** Forward steps begun, in order. */
  started: StepName[];
  /** Forward steps that failed (nothing to compensate). */
  failed: StepName[];
  /** Compensations sent (or under way) and not answered yet. */
  pending: CompensationName[];
  cancelReason: 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | null;
  /** Every message type seen, so a reply that overtook its cause still counts. */
  seen: string[];
}

type Created = PayloadOf<typeof ReservationCreated>;

/**
 * How each command is built, from the message that triggers it (choreography: the module that owns the
 * command runs it on that event; orchestration: the orchestrator sends it) or from the saga's data
 * (the deadline, which is no message).
 */
export const choreography = [
  { command: ChargePayment, on: ReservationCreated, build: (p: Created) => ({ reservationId: p.reservationId, amount: p.amount, currency: p.currency, paymentToken: p.paymentToken }) },
  { command: ConfirmReservation, on: PaymentSucceeded, build: (p: PayloadOf<typeof PaymentSucceeded>) => ({ reservationId: p.reservationId, paymentId: p.paymentId }) },
  { command: CancelReservation, on: PaymentFailed, build: (p: PayloadOf<typeof PaymentFailed>) => ({ reservationId: p.reservationId, reason: 'PAYMENT_DECLINED' as const }) },
  {
    command: RefundPayment,
    on: ReservationCancelled,
    // A cancellation because the charge was declined has nothing to refund.
    when: (p: PayloadOf<typeof ReservationCancelled>) => p.reason !== 'PAYMENT_DECLINED',
    build: (p: PayloadOf<typeof ReservationCancelled>) => ({ reservationId: p.reservationId }),
  },
] as const;

/** A compensation's command from the saga's data (the orchestrator sends these). */
export const compensationCommand = (name: CompensationName, d: SagaData): { contract: Contract; payload: unknown } => {
  const c = compensations[name];
  if (c.command === RefundPayment) return { contract: c.command, payload: { reservationId: d.reservationId } };
  return { contract: c.command, payload: { reservationId: d.reservationId, reason: d.cancelReason ?? 'PAYMENT_TIMEOUT' } };
};

/** Every message the saga reacts to (the orchestrator's and the observer's subscriptions). */
export const sagaEvents: readonly Contract[] = [ReservationCreated, ReservationConfirmed, ReservationCancelled, PaymentSucceeded, PaymentFailed, PaymentRefunded, PaymentVoided];
export const sagaCommands: readonly Contract[] = [ChargePayment, RefundPayment, ConfirmReservation, CancelReservation];

export const reservationPaymentSaga = { name: 'reservation-payment', states, steps, compensations, deadline, transitions, choreography, sagaEvents, sagaCommands } as const;
