import { z } from 'zod';
import { NotFoundError } from '../../../platform/errors';
import type { PaymentOperation, PaymentRecord, PaymentStore } from '../infrastructure/payment-store';

export type PaymentView = PaymentRecord & { captures: Omit<PaymentOperation, 'kind'>[]; refunds: Omit<PaymentOperation, 'kind'>[] };

export const getPaymentInput = z.object({ reservationId: z.string().min(1).max(100) }).strict();

/** A payment as the API shows it: its status, amounts and every capture and refund. */
export function getPaymentByReservation(store: PaymentStore) {
  return (raw: z.input<typeof getPaymentInput>): PaymentView => {
    const { reservationId } = getPaymentInput.parse(raw);
    const payment = store.get(reservationId);
    if (!payment) throw new NotFoundError(`no payment for reservation "${reservationId}" (yet): payment starts once the reservation event reaches it`);
    const ops = store.operations(reservationId);
    const pick = (kind: 'capture' | 'refund') => ops.filter((o) => o.kind === kind && o.amount > 0).map(({ kind: _k, ...o }) => o);
    return { ...payment, captures: pick('capture'), refunds: pick('refund') };
  };
}
