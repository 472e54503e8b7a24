import { z } from 'zod';
import type { DeadLetterOperations } from '../bus/dead-letters/operations';
import { deadLetterFilterSchema } from '../bus/dead-letters/store';
import type { PaymentModule } from '../modules/payment';
import { createProjectionsRouter, type ProjectionsApi } from './projections-router';
import { adminProcedure, router } from './trpc';

const byId = z.object({ id: z.string().min(1).max(100) }).strict();

/** Operator procedures: dead letters, the simulated provider's outage switch, the read model's projections. All need the admin token. */
export const createAdminRouter = (deadLetters: DeadLetterOperations, payment: () => PaymentModule, projections: () => ProjectionsApi) =>
  router({
    deadLetters: router({
      list: adminProcedure.input(deadLetterFilterSchema.strict().optional()).query(({ input }) => deadLetters.list(input ?? {})),
      get: adminProcedure.input(byId).query(({ input }) => deadLetters.get(input.id)),
      replay: adminProcedure.input(byId).mutation(({ input }) => deadLetters.replay(input.id)),
      discard: adminProcedure.input(byId).mutation(({ input }) => deadLetters.discard(input.id)),
    }),
    provider: router({
      setOutage: adminProcedure.input(z.object({ on: z.boolean() }).strict()).mutation(({ input }) => payment().setProviderOutage(input.on)),
    }),
    projections: createProjectionsRouter(projections),
  });
