import { PaymentFailed, PaymentRefunded, PaymentSucceeded, RefundRequested } from '../modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';

/**
 * The reservation–payment saga as data: its steps, the message each reacts to, the messages each may
 * emit, and the named compensation of every forward step. In choreography mode the modules' handlers
 * implement it; this definition is what they are tested against and what the docs describe.
 */
export const reservationPaymentSaga = {
  name: 'reservation-payment',
  deadline: { from: ReservationCreated.name, field: 'paymentDeadline', onExpiry: 'cancel with PAYMENT_TIMEOUT' },
  steps: [
    {
      name: 'hold-slot',
      owner: 'reservation',
      trigger: 'reservation.create (API)',
      emits: [ReservationCreated.name],
      compensation: { name: 'release-slot', triggers: [PaymentFailed.name, 'deadline', 'reservation.cancel (API)'], emits: [ReservationCancelled.name] },
    },
    {
      name: 'charge',
      owner: 'payment',
      trigger: ReservationCreated.name,
      emits: [PaymentSucceeded.name, PaymentFailed.name],
      compensation: { name: 'refund', triggers: [ReservationCancelled.name], emits: [RefundRequested.name, PaymentRefunded.name] },
    },
    {
      name: 'confirm',
      owner: 'reservation',
      trigger: PaymentSucceeded.name,
      emits: [ReservationConfirmed.name],
      compensation: { name: 'cancel-confirmed', triggers: ['reservation.cancel (API)'], emits: [ReservationCancelled.name] },
    },
  ],
  terminal: {
    CONFIRMED: 'the provider holds exactly one capture of the full amount and no refund',
    CANCELLED: "the provider's net (captures − refunds) for the reservation is zero",
  },
} as const;
