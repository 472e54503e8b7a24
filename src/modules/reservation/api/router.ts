import { publicProcedure, router } from '../../../api/trpc';
import { cancelReservationInput } from '../application/cancel-reservation';
import { createReservationInput } from '../application/create-reservation';
import { getReservationInput, listReservationsInput } from '../application/queries';
import type { ReservationModule } from '../index';

/** Each procedure is a zod input plus one call into the module's facade. */
export const createReservationRouter = (m: () => ReservationModule) =>
  router({
    create: publicProcedure.input(createReservationInput).mutation(async ({ input, ctx }) => (await m().create(input, ctx.traceHeaders)).reservation),
    get: publicProcedure.input(getReservationInput).query(({ input }) => m().get(input)),
    list: publicProcedure.input(listReservationsInput).query(({ input }) => m().list(input)),
    cancel: publicProcedure.input(cancelReservationInput).mutation(({ input }) => m().cancel(input)),
  });
