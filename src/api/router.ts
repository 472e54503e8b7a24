import type { GroupReplays } from '../bus/dead-letters/group-replays';
import type { DeadLetterOperations } from '../bus/dead-letters/operations';
import { createPaymentRouter, type PaymentModule } from '../modules/payment';
import { createReservationRouter, type ReservationModule } from '../modules/reservation';
import type { SagaQueries } from '../saga/saga-queries';
import { createAdminRouter } from './admin-router';
import type { AuditApi } from './audit-router';
import { createOverviewRouter, type OverviewApi } from './overview-router';
import type { ProjectionsApi } from './projections-router';
import { createSagaRouter } from './saga-router';
import { createSystemRouter, type ListsProcedures, type SystemServices } from './system-router';
import { router } from './trpc';

/** Read at call time: in split mode a module another process runs throws ModuleNotHereError. */
export interface ApiServices extends SystemServices {
  readonly reservation: ReservationModule;
  readonly payment: PaymentModule;
  readonly sagaQueries: SagaQueries;
  readonly deadLetters: DeadLetterOperations;
  readonly auditor: AuditApi;
  readonly groupReplays: GroupReplays;
  readonly readModel: OverviewApi & ProjectionsApi;
}

export const createAppRouter = (s: ApiServices) => {
  const appRouter = router({
    reservation: createReservationRouter(() => s.reservation),
    payment: createPaymentRouter(() => s.payment),
    saga: createSagaRouter(() => s.sagaQueries),
    overview: createOverviewRouter(() => s.readModel),
    admin: createAdminRouter(s.deadLetters, s.groupReplays, () => s.payment, () => s.auditor, () => s.readModel),
    system: createSystemRouter(s, (): ListsProcedures => appRouter),
  });
  return appRouter;
};

/** The type a `@trpc/client` is created with. */
export type AppRouter = ReturnType<typeof createAppRouter>;
