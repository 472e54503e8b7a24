import { publicProcedure, router, trackedBy } from '../../../api/trpc';
import { cancelReservationInput, type CancelReservationInput } from '../application/cancel-reservation';
import type { CreateReservationInput } from '../application/create-reservation';
import { followReservationInput, type FollowReservationInput, type ReservationChange } from '../application/follow-reservation';
import { getReservationInput, listReservationsInput, type GetReservationInput, type ListReservationsInput } from '../application/queries';
import { reservationHistoryInput, type ReservationHistoryEntry } from '../application/reservation-history';
import type { ReservationPage, ReservationRecord } from '../infrastructure/reservation-view';

/** What the router calls: the facade seen through the procedures' needs (no import of index.ts, so no cycle). */
export interface ReservationApi {
  /** `traceHeaders`: the HTTP request's W3C trace context, so the saga's trace starts there. */
  create(input: CreateReservationInput, traceHeaders?: Record<string, string>): Promise<{ reservation: ReservationRecord }>;
  get(input: GetReservationInput): ReservationRecord;
  history(input: { id: string }): ReservationHistoryEntry[];
  follow(input: FollowReservationInput, signal?: AbortSignal): AsyncIterable<ReservationChange>;
  list(input: ListReservationsInput): ReservationPage;
  cancel(input: CancelReservationInput): Promise<ReservationRecord>;
}

/** The input's type for the typed client; its checks run in the facade, once. */
const validatedByTheFacade = <T>(raw: unknown): T => raw as T;

/** Each procedure is a zod input plus one call into the module's facade. */
export const createReservationRouter = (m: () => ReservationApi) =>
  router({
    // The facade validates its input with the same schema (a zod error maps to BAD_REQUEST naming each
    // field, as from tRPC's parser): parsing here too was a second full parse per request (HTTP bench).
    create: publicProcedure.input(validatedByTheFacade<CreateReservationInput>).mutation(async ({ input, ctx }) => (await m().create(input, ctx.traceHeaders)).reservation),
    get: publicProcedure.input(getReservationInput).query(({ input }) => m().get(input)),
    list: publicProcedure.input(listReservationsInput).query(({ input }) => m().list(input)),
    cancel: publicProcedure.input(cancelReservationInput).mutation(({ input }) => m().cancel(input)),
    history: publicProcedure.input(reservationHistoryInput).query(({ input }) => m().history(input)),
    // SSE; each change's id is its stream version, so a client resuming with Last-Event-ID misses nothing.
    onChange: publicProcedure.input(followReservationInput).subscription(({ input, signal }) => trackedBy(m().follow(input, signal), (c) => String(c.version))),
  });
