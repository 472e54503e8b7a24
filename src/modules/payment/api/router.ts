import { publicProcedure, router } from '../../../api/trpc';
import { getPaymentInput, type PaymentView } from '../application/get-payment';
import { paymentHistoryInput, type PaymentHistoryEntry } from '../application/payment-history';

/** What the router calls (a narrow view of the facade, so the router does not import index.ts). */
export interface PaymentApi {
  getByReservation(input: { reservationId: string }): PaymentView;
  history(input: { reservationId: string }): PaymentHistoryEntry[];
}

export const createPaymentRouter = (m: () => PaymentApi) =>
  router({
    getByReservation: publicProcedure.input(getPaymentInput).query(({ input }) => m().getByReservation(input)),
    history: publicProcedure.input(paymentHistoryInput).query(({ input }) => m().history(input)),
  });
