import { getOverviewInput, listOverviewInput, type GetOverviewInput, type ListOverviewInput, type OverviewAnswer, type OverviewPage } from '../read-model/overview-queries';
import { publicProcedure, router } from './trpc';

/** What the router calls on the read model. */
export interface OverviewApi {
  list(input: ListOverviewInput): OverviewPage;
  get(input: GetOverviewInput): OverviewAnswer;
}

/** `overview.list` / `overview.get`: the read model's reservation overview, each answer with `{ lag, rebuilding }`. */
export const createOverviewRouter = (q: () => OverviewApi) =>
  router({
    list: publicProcedure.input(listOverviewInput).query(({ input }) => q().list(input)),
    get: publicProcedure.input(getOverviewInput).query(({ input }) => q().get(input)),
  });
