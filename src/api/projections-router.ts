import type { z } from 'zod';
import { rebuildInput, type ProjectionStatus } from '../read-model/read-model';
import type { RebuildStarted } from '../read-model/rebuild';
import { adminProcedure, router } from './trpc';

/** What the router calls on the read model. */
export interface ProjectionsApi {
  status(): ProjectionStatus;
  startRebuild(input: z.input<typeof rebuildInput>): RebuildStarted;
}

/** `admin.projections.*`: the read model's checkpoint, lag and rebuild. `rebuild` returns once started; follow it with `status`. */
export const createProjectionsRouter = (p: () => ProjectionsApi) =>
  router({
    status: adminProcedure.query(() => p().status()),
    rebuild: adminProcedure.input(rebuildInput.optional()).mutation(({ input }) => p().startRebuild(input ?? {})),
  });
