import { z } from 'zod';
import type { GroupReplays } from '../bus/dead-letters/group-replays';
import type { DeadLetterOperations } from '../bus/dead-letters/operations';
import { operationFilterSchema } from '../bus/dead-letters/replay-operation';
import { deadLetterFilterSchema } from '../bus/dead-letters/store';
import type { PaymentModule } from '../modules/payment';
import { createAuditRouter, type AuditApi } from './audit-router';
import { createProjectionsRouter, type ProjectionsApi } from './projections-router';
import { adminProcedure, router } from './trpc';

const byId = z.object({ id: z.string().min(1).max(100) }).strict();
const byFingerprint = z.object({ fingerprint: z.string().min(1).max(100) }).strict();

/** Operator procedures: dead letters, their failure groups and group replays, the consistency audit, the read model's projections, and the simulated provider's outage switch. All need the admin token. */
export const createAdminRouter = (deadLetters: DeadLetterOperations, groupReplays: GroupReplays, payment: () => PaymentModule, audit: () => AuditApi, projections: () => ProjectionsApi) =>
  router({
    deadLetters: router({
      list: adminProcedure.input(deadLetterFilterSchema.strict().optional()).query(({ input }) => deadLetters.list(input ?? {})),
      groups: adminProcedure.query(() => deadLetters.groups()),
      get: adminProcedure.input(byId).query(({ input }) => deadLetters.get(input.id)),
      replay: adminProcedure.input(byId).mutation(({ input }) => deadLetters.replay(input.id)),
      replayGroup: adminProcedure.input(byFingerprint).mutation(({ input }) => groupReplays.replayGroup(input.fingerprint)),
      discard: adminProcedure.input(byId).mutation(({ input }) => deadLetters.discard(input.id)),
    }),
    audit: createAuditRouter(audit),
    operations: router({
      list: adminProcedure.input(operationFilterSchema.strict().optional()).query(({ input }) => groupReplays.list(input ?? {})),
      get: adminProcedure.input(byId).query(({ input }) => groupReplays.get(input.id)),
      cancel: adminProcedure.input(byId).mutation(({ input }) => groupReplays.cancel(input.id)),
    }),
    provider: router({
      setOutage: adminProcedure.input(z.object({ on: z.boolean() }).strict()).mutation(({ input }) => payment().setProviderOutage(input.on)),
    }),
    projections: createProjectionsRouter(projections),
  });
