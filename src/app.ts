import type { DependencyContainer } from 'tsyringe';
import type { GroupReplays } from './bus/dead-letters/group-replays';
import type { DeadLetterOperations } from './bus/dead-letters/operations';
import type { MessageBus } from './bus/router';
import type { Config } from './config';
import type { PaymentModule, SimulatedProvider } from './modules/payment';
import type { ReservationModule } from './modules/reservation';
import type { ReadModel } from './read-model/read-model';
import { ModuleNotHereError } from './platform/errors';
import { sagaQueries, type SagaQueries } from './saga/saga-queries';
import type { SagaRuntime } from './saga/saga-runtime';
import type { Auditor } from './audit/auditor';
import type { Observability } from './platform/observability';

export const MODULES = ['reservation', 'payment'] as const;
export type ModuleName = (typeof MODULES)[number];

/** Something the app starts, waits on to settle, and stops: a module's relay, the saga's runner. */
export interface Part {
  start(): void;
  stop(): Promise<void>;
  idle(): Promise<void>;
  readonly busy: boolean;
}

/** Everything one process runs, wired once (compose.ts). Tests build it the same way `npm start` does. */
export class App {
  private started = false;
  private queries: SagaQueries | null = null;

  constructor(
    readonly container: DependencyContainer,
    readonly config: Config,
    private readonly modules: { reservation: ReservationModule | null; payment: PaymentModule | null },
    /** The saga's runner (orchestrator or observer); null in a process that runs no reservation module. */
    readonly saga: SagaRuntime | null,
    /** The consistency auditor; null in a process that runs no reservation module. */
    readonly audit: Auditor | null,
    readonly bus: MessageBus,
    readonly deadLetters: DeadLetterOperations,
    readonly provider: SimulatedProvider | null,
    private readonly parts: readonly Part[],
    private readonly subscribe: () => void,
    private readonly closeBus: () => Promise<void>,
    /** Durable background replays of failure groups (also one of `parts`, so settling waits for them). */
    readonly groupReplays: GroupReplays,
    /** Metrics registry, readiness checks and tracing of this App (the HTTP server serves them). */
    readonly observability: Observability,
    /** The overview's query side (read-model.db); null where no reservation module runs, or with READ_MODEL=off. */
    private readonly projections: ReadModel | null = null,
  ) {}

  get reservation(): ReservationModule {
    return this.need('reservation');
  }

  get payment(): PaymentModule {
    return this.need('payment');
  }

  /** `saga.get` / `saga.list`, served where the saga runs (beside the reservation module). */
  get sagaQueries(): SagaQueries {
    if (!this.saga) throw new ModuleNotHereError('the saga runs beside the reservation module; call the reservation process');
    return (this.queries ??= sagaQueries(this.saga.store));
  }

  /** The auditor, where it runs (beside the reservation module). */
  get auditor(): Auditor {
    if (!this.audit) throw new ModuleNotHereError('the consistency auditor runs beside the reservation module; call the reservation process');
    return this.audit;
  }

  /** `overview.*` and `admin.projections.*`, served beside the reservation module. */
  get readModel(): ReadModel {
    if (!this.projections) {
      throw new ModuleNotHereError(
        this.config.READ_MODEL === 'off' ? 'the read model is off here (READ_MODEL=off)' : 'the read model runs beside the reservation module; call the reservation process',
      );
    }
    return this.projections;
  }

  runs(name: ModuleName): boolean {
    return this.modules[name] !== null;
  }

  /** Subscribes what the saga definition registers, resumes delayed retries, relays and deadlines. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.subscribe();
    await this.bus.start();
    for (const p of this.parts) p.start();
  }

  /** Resolves when no relay, delivery or handler has work in progress (delayed retries wait for their time). */
  async settled(): Promise<void> {
    do {
      await Promise.all(this.parts.map((p) => p.idle()));
      await this.bus.idle();
    } while (this.parts.some((p) => p.busy) || this.bus.transport.busy);
  }

  async stop(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.stop()));
    await this.closeBus();
    this.modules.reservation?.close();
    this.modules.payment?.close();
    this.saga?.close();
    this.audit?.close();
    this.projections?.close();
    this.provider?.close();
  }

  private need<K extends ModuleName>(name: K): NonNullable<App['modules'][K]> {
    const m = this.modules[name];
    if (!m) throw new ModuleNotHereError(`this process runs only the ${MODULES.filter((n) => this.runs(n)).join(' and ')} module (split mode); call the ${name} process`);
    return m as NonNullable<App['modules'][K]>;
  }
}
