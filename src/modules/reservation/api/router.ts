import { publicProcedure, router } from '../../../api/trpc';
import { cancelReservationInput, type CancelReservationInput } from '../application/cancel-reservation';
import { createReservationInput, type CreateReservationInput } from '../application/create-reservation';
import { getReservationInput, listReservationsInput, type ListReservationsInput } from '../application/queries';
import type { ReservationPage, ReservationRecord } from '../infrastructure/reservation-view';

/** What the router calls: the facade seen through the procedures' needs (no import of index.ts, so no cycle). */
export interface ReservationApi {
  create(input: CreateReservationInput): Promise<{ reservation: ReservationRecord }>;
  get(input: { id: string }): ReservationRecord;
  list(input: ListReservationsInput): ReservationPage;
  cancel(input: CancelReservationInput): Promise<ReservationRecord>;
}

/** Each procedure is a zod input plus one call into the module's facade. */
export const createReservationRouter = (m: () => ReservationApi) =>
  router({
    create: publicProcedure.input(createReservationInput).mutation(async ({ input }) => (await m().create(input)).reservation),
    get: publicProcedure.input(getReservationInput).query(({ input }) => m().get(input)),
    list: publicProcedure.input(listReservationsInput).query(({ input }) => m().list(input)),
    cancel: publicProcedure.input(cancelReservationInput).mutation(({ input }) => m().cancel(input)),
  });
