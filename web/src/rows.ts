import type { Outputs } from './api/client';

type Reservation = Outputs['reservation']['get'];
type Overview = Outputs['overview']['list']['items'][number];

/** A table row: an overview row of the read model, or a reservation just created here (not projected yet). */
export interface Row {
  id: string;
  customerId: string;
  resourceId: string;
  startsAt: string;
  endsAt: string;
  amount: number;
  currency: string;
  status: Reservation['status'];
  cancellationReason: string | null;
  paymentId: string | null;
  /** Null: no payment outcome yet; undefined: not known (a row not from the read model). */
  paymentStatus: string | null | undefined;
  updatedAt: string;
}

export const rowOfOverview = (o: Overview): Row => ({
  id: o.id,
  customerId: o.customerId,
  resourceId: o.resourceId,
  startsAt: o.startsAt,
  endsAt: o.endsAt,
  amount: o.amount,
  currency: o.currency,
  status: o.status,
  cancellationReason: o.cancellationReason,
  paymentId: o.payment.paymentId,
  paymentStatus: o.payment.status,
  updatedAt: o.updatedAt,
});

export const rowOfReservation = (r: Reservation): Row => ({
  id: r.id,
  customerId: r.customerId,
  resourceId: r.resourceId,
  startsAt: r.startsAt,
  endsAt: r.endsAt,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  cancellationReason: r.cancellationReason,
  paymentId: r.paymentId,
  paymentStatus: undefined,
  updatedAt: r.updatedAt,
});

