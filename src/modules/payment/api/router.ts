import { publicProcedure, router } from '../../../api/trpc';
import { getPaymentInput } from '../application/get-payment';
import type { PaymentModule } from '../index';

export const createPaymentRouter = (m: () => PaymentModule) =>
  router({
    getByReservation: publicProcedure.input(getPaymentInput).query(({ input }) => m().getByReservation(input)),
  });
