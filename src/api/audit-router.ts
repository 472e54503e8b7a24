import { z } from 'zod';
import type { AuditReport } from '../audit/auditor';
import type { TrailEntry } from '../audit/infrastructure/audit-store';
import { adminProcedure, router } from './trpc';

/** What the router calls on the auditor (a narrow view). */
export interface AuditApi {
  run(): AuditReport;
  repair(findingId: string): Promise<TrailEntry>;
  trail(limit?: number): TrailEntry[];
}

/** `admin.audit.*`: run the consistency audit, trigger a finding's named repair, read the repair trail. */
export const createAuditRouter = (a: () => AuditApi) =>
  router({
    run: adminProcedure.mutation(() => a().run()),
    repair: adminProcedure.input(z.object({ id: z.string().min(1).max(300) }).strict()).mutation(({ input }) => a().repair(input.id)),
    trail: adminProcedure.input(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict().optional()).query(({ input }) => a().trail(input?.limit)),
  });
